import { privilegeKey, type Privilege } from "../shared/privilege";
import { KEY_FIELDS, type KeyField } from "./backends/keyBackend";
import type { ApiKeyOutputs } from "./inputs";
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

export interface ApiKeyDiff {
  /** Every top-level property that changes, the replacing ones included. */
  readonly changedProperties: string[];
  /** Properties whose change needs a new key (and so a new secret). */
  readonly replaces: string[];
  /** Why the secret is due for rotation (`rotation.trigger`, `rotation.rotateAfterDays`), if it is. */
  readonly rotates: string[];
}


function sameValue(field: KeyField, before: unknown, after: unknown): boolean {
  if (field === "privileges") {
    const d = privilegesDiff((before ?? []) as Privilege[], (after ?? []) as Privilege[]);
    return d.added.length === 0 && d.removed.length === 0;
  }
  if (field === "expiresAt") return (before ? Date.parse(String(before)) : undefined) === (after ? Date.parse(String(after)) : undefined);
  if (field === "description" || field === "lifetime" || field === "templateId") return (before ?? "") === (after ?? "");
  if (field === "allowedIps" || field === "deniedIps") {
    const a = [...new Set((before ?? []) as string[])].sort();
    const b = [...new Set((after ?? []) as string[])].sort();
    return a.join(",") === b.join(",");
  }
  if (field === "additionalConfiguration") return stableJson(before ?? {}) === stableJson(after ?? {});
  if (field === "isInternal") return (before ?? false) === (after ?? false);
  return JSON.stringify(before) === JSON.stringify(after);
}

/**
 * Decides update-in-place against replace, with no API call. `olds` are the stored outputs (what the
 * API last reported), `news` the checked inputs. Connection endpoint and token never cause a diff,
 * so rotating the admin token or moving the API behind a new hostname leaves keys alone.
 */
export function diffApiKey(
  olds: ApiKeyOutputs,
  news: Record<string, any>,
  context: { updatableFields: ReadonlySet<KeyField>; organizationId: string; backend: string; now: Date; rotation?: "replace" | "rotate" },
): ApiKeyDiff {
  const changed: string[] = [];
  const replaces: string[] = [];
  for (const field of KEY_FIELDS) {
    if (sameValue(field, (olds as any)[field], news[field])) continue;
    changed.push(field);
    if (!context.updatableFields.has(field)) replaces.push(field);
  }
  if (context.organizationId !== olds.organizationId) replaces.push("connection.organizationId");
  if (context.backend !== olds.backend) replaces.push("connection.backend");
  if ((news.adoptKeyId ?? "") !== (olds.adoptKeyId ?? "")) replaces.push("adoptKeyId");

  const oldRotation = olds.rotation ?? {};
  const newRotation = news.rotation ?? {};
  const rotates: string[] = [];
  if ((oldRotation.trigger ?? "") !== (newRotation.trigger ?? "")) rotates.push("rotation.trigger");
  const rotateAfterDays = newRotation.rotateAfterDays;
  if (typeof rotateAfterDays === "number" && olds.rotatedAt) {
    const ageDays = (context.now.getTime() - Date.parse(olds.rotatedAt)) / 86_400_000;
    if (ageDays >= rotateAfterDays) rotates.push("rotation.rotateAfterDays");
  }
  // A key replaced for another reason gets a new secret anyway; otherwise the backend decides how.
  if ((context.rotation ?? "replace") === "replace") replaces.push(...rotates);
  else if (rotates.length > 0) changed.push("rotation");
  // Other rotation settings and metadata change only what the provider stores: an in-place update.
  if (JSON.stringify(oldRotation) !== JSON.stringify(newRotation)) changed.push("rotation");
  if (JSON.stringify(olds.metadata ?? {}) !== JSON.stringify(news.metadata ?? {})) changed.push("metadata");
  for (const r of replaces) if (!changed.includes(r.split(".")[0])) changed.push(r.split(".")[0]);
  return { changedProperties: [...new Set(changed)], replaces: [...new Set(replaces)], rotates };
}
