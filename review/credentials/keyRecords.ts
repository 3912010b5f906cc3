import { z } from "zod";
import { privilegeKey } from "../../shared/privilege";
import { RiskCatalogue, type Severity } from "../../shared/privilegeRisks";
import { isApiKeyType, NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";
import { backendNamed } from "../../provider/backends/registry";
import type { ExportedResource, ExportSource } from "./stackExport";

/**
 * An ApiKey's outputs as state holds them, the fields the report reads. Every field is optional and
 * falls back to absent when it has another shape (a value the program made secret reads as a
 * placeholder string): one odd field must not hide a key from an access review.
 */
export function apiKeyStateSchema() {
  const text = z.string().optional().catch(undefined);
  const privilege = z.looseObject({ owner: z.string(), targetDomain: z.string(), type: z.string(), targetIds: z.array(z.string()).optional() });
  return z.looseObject({
    keyId: text,
    displayName: text,
    description: text,
    environment: z.enum(["live", "test"]).optional().catch(undefined),
    enabled: z.boolean().optional().catch(undefined),
    privileges: z.array(privilege).optional().catch(undefined),
    expiresAt: text,
    lifetime: text,
    rotation: z
      .looseObject({ rotateAfterDays: z.number().optional(), renewBeforeExpiry: z.string().optional(), trigger: z.string().optional() })
      .optional()
      .catch(undefined),
    metadata: z.record(z.string(), z.string()).optional().catch(undefined),
    backend: text,
    organizationId: text,
    createdAt: text,
    rotatedAt: text,
    lastUsedAt: text,
    revokedReason: text,
    secretPending: z.boolean().optional().catch(undefined),
    exposure: z.looseObject({ severity: z.string().optional() }).optional().catch(undefined),
  });
}

export type ApiKeyState = z.infer<ReturnType<typeof apiKeyStateSchema>>;

/** One privilege of a key, with its risk from the catalogue (the review's and policy pack's). */
export interface AssessedPrivilege {
  readonly privilege: string;
  /** The most severe risk, `none` when the catalogue has none (or the rules file accepts it for this key). */
  readonly severity: Severity;
  readonly reasons: readonly string[];
  /** Why the rules file accepts it for this key, when it does. */
  readonly accepted?: string;
}

/** How the key gets a new secret, as declared: what "older than the rotation policy" measures against. */
export interface RotationPolicy {
  readonly rotateAfterDays?: number;
  readonly lifetime?: string;
  readonly renewBeforeExpiry?: string;
}

/**
 * Last use: `reported` when the key's API says when a key was used (then no `at` means never used);
 * not reported for APIs without it (Didomi), where nothing can be concluded.
 */
export type LastUse =
  | { readonly reported: true; readonly at?: string; /** Whole days since the last use, or since creation when never used. */ readonly daysUnused?: number }
  | { readonly reported: false };

export type KeyStatus = "active" | "disabled" | "expired" | "revoked (leaked)" | "exposed" | "secret pending" | "pending deletion";

/** One row of the credential report: one ApiKey in one stack, as its state says. */
export interface KeyRecord {
  /** The export file or `--stack` name it was read from. */
  readonly source: string;
  /** `project/stack`, from the resource's URN. */
  readonly stack: string;
  /** The resource name, as the review and the rules file's `accept` entries use it. */
  readonly name: string;
  readonly urn: string;
  readonly provider: "dynamic" | "native";
  readonly keyId?: string;
  readonly displayName?: string;
  readonly backend?: string;
  readonly organizationId?: string;
  /** Reference keys only: Coveo and Didomi keys have no environment. */
  readonly environment?: "live" | "test";
  /** The `owner` (or `team`) label of the key's metadata. */
  readonly owner?: string;
  readonly description?: string;
  readonly privileges: readonly AssessedPrivilege[];
  readonly createdAt?: string;
  /** When the current secret was issued (creation or the last rotation). */
  readonly secretIssuedAt?: string;
  readonly secretAgeDays?: number;
  readonly rotation: RotationPolicy;
  readonly expiresAt?: string;
  /** Whole days until expiry; negative once expired. */
  readonly daysToExpiry?: number;
  readonly lastUse: LastUse;
  readonly status: KeyStatus;
}

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (rounded down), or undefined without a valid date. */
export function daysBetween(from: string | undefined, to: Date): number | undefined {
  const ms = from === undefined ? NaN : Date.parse(from);
  return Number.isFinite(ms) ? Math.floor((to.getTime() - ms) / DAY_MS) : undefined;
}

/** `urn:pulumi:<stack>::<project>::<type>::<name>` → its stack, project and resource name. */
function urnParts(urn: string): { stack: string; project: string; name: string } {
  const parts = urn.split("::");
  return { stack: parts[0].replace(/^urn:pulumi:/, ""), project: parts[1] ?? "", name: parts[parts.length - 1] };
}

/** What a record is made from: a resource of an export, or one a policy pack is shown (its outputs). */
export type KeyResource = Pick<ExportedResource, "urn" | "type" | "outputs" | "delete">;

function statusOf(resource: KeyResource, state: ApiKeyState, asOf: Date): KeyStatus {
  if (resource.delete) return "pending deletion";
  if (state.revokedReason === "leaked") return "revoked (leaked)";
  if (state.expiresAt && Date.parse(state.expiresAt) <= asOf.getTime()) return "expired";
  if (state.exposure) return "exposed";
  if (state.enabled === false) return "disabled";
  if (state.secretPending) return "secret pending";
  return "active";
}

function assessPrivileges(catalogue: RiskCatalogue, name: string, state: ApiKeyState): AssessedPrivilege[] {
  return (state.privileges ?? []).map((p) => {
    const { risks, acceptedBecause } = catalogue.assess(name, p);
    return {
      privilege: privilegeKey(p),
      severity: risks[0]?.severity ?? "none",
      reasons: risks.map((r) => r.reason),
      ...(acceptedBecause ? { accepted: acceptedBecause } : {}),
    };
  });
}

function lastUseOf(state: ApiKeyState, asOf: Date): LastUse {
  // A backend not in this version's registry: treat like one that does not report (no conclusion).
  if (!state.backend || backendNamed(state.backend)?.reportsLastUse !== true) return { reported: false };
  // A use after the report's date (--as-of a quarter's end) counts as a use on that date.
  const elapsed = daysBetween(state.lastUsedAt ?? state.createdAt, asOf);
  const daysUnused = elapsed === undefined ? undefined : Math.max(0, elapsed);
  return { reported: true, ...(state.lastUsedAt ? { at: state.lastUsedAt } : {}), ...(daysUnused !== undefined ? { daysUnused } : {}) };
}

/** The ApiKeys (dynamic and native) of one export as report rows, as of `asOf`. */
export function keyRecordsOf(exported: ExportSource, catalogue: RiskCatalogue, asOf: Date): KeyRecord[] {
  return (exported.export.deployment.resources ?? []).filter((r) => isApiKeyType(r.type)).map((r) => keyRecordOf(r, exported.source, catalogue, asOf));
}

/** One ApiKey resource as a report row, as of `asOf`; `source` says where it was read. */
export function keyRecordOf(resource: KeyResource, source: string, catalogue: RiskCatalogue, asOf: Date): KeyRecord {
  const state = apiKeyStateSchema().parse(resource.outputs ?? {});
  const { stack, project, name } = urnParts(resource.urn);
  const secretIssuedAt = state.rotatedAt ?? state.createdAt;
  const labels = state.metadata ?? {};
  const owner = labels.owner ?? labels.team;
  const rotation: RotationPolicy = {
    ...(state.rotation?.rotateAfterDays !== undefined ? { rotateAfterDays: state.rotation.rotateAfterDays } : {}),
    ...(state.lifetime ? { lifetime: state.lifetime } : {}),
    ...(state.rotation?.renewBeforeExpiry ? { renewBeforeExpiry: state.rotation.renewBeforeExpiry } : {}),
  };
  const issuedDaysAgo = daysBetween(secretIssuedAt, asOf);
  const secretAgeDays = issuedDaysAgo === undefined ? undefined : Math.max(0, issuedDaysAgo);
  const daysToExpiry = state.expiresAt === undefined ? undefined : daysBetween(asOf.toISOString(), new Date(Date.parse(state.expiresAt)));
  return {
    source,
    stack: `${project}/${stack}`,
    name,
    urn: resource.urn,
    provider: resource.type === NATIVE_API_KEY_TYPE ? "native" : "dynamic",
    ...(state.keyId ? { keyId: state.keyId } : {}),
    ...(state.displayName ? { displayName: state.displayName } : {}),
    ...(state.backend ? { backend: state.backend } : {}),
    ...(state.organizationId ? { organizationId: state.organizationId } : {}),
    // The provider drops the environment input on backends without one; a stored one there means nothing.
    ...(state.environment && (state.backend ?? "reference") === "reference" ? { environment: state.environment } : {}),
    ...(owner ? { owner } : {}),
    ...(state.description ? { description: state.description } : {}),
    privileges: assessPrivileges(catalogue, name, state),
    ...(state.createdAt ? { createdAt: state.createdAt } : {}),
    ...(secretIssuedAt ? { secretIssuedAt } : {}),
    ...(secretAgeDays !== undefined ? { secretAgeDays } : {}),
    rotation,
    ...(state.expiresAt ? { expiresAt: state.expiresAt } : {}),
    ...(daysToExpiry !== undefined ? { daysToExpiry } : {}),
    lastUse: lastUseOf(state, asOf),
    status: statusOf(resource, state, asOf),
  };
}
