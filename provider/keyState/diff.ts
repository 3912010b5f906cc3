import { addIsoDuration } from "../../shared/isoDuration";
import { privilegeKey, type Privilege } from "../../shared/privilege";
import type { ApiKeyInputs, ApiKeyOutputs, KeyField } from "./inputs";
import { keyFieldNames } from "./inputs";
import { awaitsSecret } from "./outputs";
import { dueRevocations } from "./pendingRevocations";
import { stableJson } from "./stableJson";

export interface PrivilegesDiff {
  readonly added: Privilege[];
  readonly removed: Privilege[];
}

/** Privileges compare as a set: order never makes a change, and targetIds order neither. */
export function privilegesDiff(before: readonly Privilege[], after: readonly Privilege[]): PrivilegesDiff {
  const beforeKeys = new Set(before.map(privilegeKey));
  const afterKeys = new Set(after.map(privilegeKey));
  return { added: after.filter((p) => !beforeKeys.has(privilegeKey(p))), removed: before.filter((p) => !afterKeys.has(privilegeKey(p))) };
}

/** A value that asks for nothing: unset, "", false, [] or {}. An unset field and its empty value are the same declaration. */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value).length === 0;
}

/** A list whose every element is a string (IP ranges). */
function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((element) => typeof element === "string");
}

/** Dates compare by instant: the same time written in another zone or precision is the same expiry. */
function sameInstant(before: string | undefined, after: string | undefined): boolean {
  return (before ? Date.parse(before) : undefined) === (after ? Date.parse(after) : undefined);
}

/** Values compare by content: lists of strings (IP ranges) as sets, objects whatever their key order. */
function sameValue(before: unknown, after: unknown): boolean {
  if (isEmpty(before) && isEmpty(after)) return true;
  if (isStringList(before) && isStringList(after)) {
    return [...new Set(before)].sort().join("\n") === [...new Set(after)].sort().join("\n");
  }
  return stableJson(before) === stableJson(after);
}

type Declared = Partial<ApiKeyInputs>;
type Stored = Partial<ApiKeyOutputs>;

/**
 * Whether a field's stored and declared values mean the same key: privileges by what they grant,
 * dates by instant, other values by content (see sameValue).
 */
function sameField(field: KeyField, olds: Stored, news: Declared): boolean {
  if (field === "privileges") {
    const d = privilegesDiff(olds.privileges ?? [], news.privileges ?? []);
    return d.added.length === 0 && d.removed.length === 0;
  }
  if (field === "expiresAt") return sameInstant(olds.expiresAt, news.expiresAt);
  return sameValue(olds[field], news[field]);
}

/**
 * The key fields whose declared value differs from the stored one, in schema order. `computed` are
 * fields the API sets rather than the declaration (an expiry from a lifetime, a field the backend
 * has no input for): what the API reports for them is never a change.
 */
export function changedKeyFields(olds: Stored, news: Declared, computed: ReadonlySet<string> = new Set()): KeyField[] {
  return keyFieldNames().filter((field) => !computed.has(field) && !sameField(field, olds, news));
}

/** The fields the API computes for this declaration on a backend that supports `supportedInputs`. */
export function computedFields(news: Declared, supportedInputs: readonly string[]): Set<string> {
  const computed = new Set(["environment", "privileges", "expiresAt"].filter((field) => !supportedInputs.includes(field)));
  if (news.lifetime !== undefined) computed.add("expiresAt");
  return computed;
}

/**
 * Why the secret is due for a new one now: the rotation trigger changed, the secret is older than
 * `rotateAfterDays`, or the API reported it exposed and the declaration asks to rotate then
 * (decided from state: Pulumi does not refresh before a preview by default).
 */
export function rotationDue(olds: Stored, news: Declared, now: Date): string[] {
  const due: string[] = [];
  if ((olds.rotation?.trigger ?? "") !== (news.rotation?.trigger ?? "")) due.push("rotation.trigger");
  // Within the renewal window of an expiry the API computed from the lifetime.
  const window = news.rotation?.renewBeforeExpiry;
  if (window && news.lifetime && olds.expiresAt && addIsoDuration(now, window).getTime() >= Date.parse(olds.expiresAt)) due.push("rotation.renewBeforeExpiry");
  // An adopted key whose secret the stack never saw, asked to hold one of its own.
  if (news.rotation?.rollOnAdopt === true && news.adoptKeyId && olds.secretAvailable === false) due.push("rotation.rollOnAdopt");
  // Exposed: only a new secret ends it (the key API deactivates the key on its own schedule).
  if (news.rotation?.onExposure === true && olds.exposure) due.push("rotation.onExposure");
  const rotateAfterDays = news.rotation?.rotateAfterDays;
  if (typeof rotateAfterDays === "number" && olds.rotatedAt) {
    const ageDays = (now.getTime() - Date.parse(olds.rotatedAt)) / 86_400_000;
    if (ageDays >= rotateAfterDays) due.push("rotation.rotateAfterDays");
  }
  return due;
}

/** Where a key lives changed (another organization, backend or adopted key): only a new key can follow. */
function placeChanges(olds: Stored, news: Declared, connection: { readonly organizationId: string; readonly backend: string }): string[] {
  const changes: string[] = [];
  if (connection.organizationId !== olds.organizationId) changes.push("connection.organizationId");
  if (connection.backend !== olds.backend) changes.push("connection.backend");
  if ((news.adoptKeyId ?? "") !== (olds.adoptKeyId ?? "")) changes.push("adoptKeyId");
  // The key API revoked the key because its secret leaked (recorded by a refresh): only a new key works.
  if (olds.revokedReason) changes.push("revokedReason");
  return changes;
}

export interface ApiKeyDiff {
  /** Every top-level property that changes, the replacing ones included. */
  readonly changedProperties: string[];
  /** Properties whose change needs a new key (and so a new secret). */
  readonly replaces: string[];
  /** Why the secret is due for rotation (`rotation.trigger`, `rotation.rotateAfterDays`), if it is. */
  readonly rotates: string[];
}

/** What the chosen backend can do, as far as a diff needs to know. */
export interface DiffContext {
  readonly updatableFields: ReadonlySet<KeyField>;
  /** Fields the API sets rather than the declaration (see `computedFields`). */
  readonly computed?: ReadonlySet<string>;
  /** `replace`: a due rotation replaces the key; `rotate`: the API rotates it in place (an update). */
  readonly rotation: "replace" | "rotate";
  readonly organizationId: string;
  readonly backend: string;
  readonly now: Date;
}

/**
 * Decides update-in-place against replace, with no API call. `olds` are the stored outputs (what the
 * API last reported), `news` the checked inputs. Connection endpoint and token never cause a diff,
 * so rotating the admin token or moving the API behind a new hostname leaves keys alone.
 */
export function diffApiKey(olds: Stored, news: Declared, context: DiffContext): ApiKeyDiff {
  const changedFields = changedKeyFields(olds, news, context.computed);
  const replaces: string[] = [...changedFields.filter((field) => !context.updatableFields.has(field)), ...placeChanges(olds, news, context)];
  const changed: string[] = [...changedFields];
  const rotates = rotationDue(olds, news, context.now);
  // A key replaced for another reason gets a new secret anyway; otherwise the backend decides how.
  if (context.rotation === "replace") replaces.push(...rotates);
  else if (rotates.length > 0) changed.push("rotation");
  // Other rotation settings and metadata change only what the provider stores: an in-place update.
  if (stableJson(olds.rotation ?? {}) !== stableJson(news.rotation ?? {})) changed.push("rotation");
  if (stableJson(olds.metadata ?? {}) !== stableJson(news.metadata ?? {})) changed.push("metadata");
  // A key whose create could not issue its secret gets it by an update (a roll in place). Never a
  // replacement: the new key's create would carry the same declaration's idempotency key and be
  // answered with this very key, which the replacement's delete would then revoke.
  if (awaitsSecret(olds)) changed.push("secret");
  // An old key whose grace period is over is deleted by the next update.
  if (dueRevocations(olds.pendingRevocations, context.now).length > 0) changed.push("pendingRevocations");
  for (const r of replaces) changed.push(r.split(".")[0]);
  return { changedProperties: [...new Set(changed)], replaces: [...new Set(replaces)], rotates };
}
