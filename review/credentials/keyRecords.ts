import { z } from "zod";
import { privilegeKey } from "../../shared/privilege";
import { RiskCatalogue, type ScopeRiskLevel, type Severity } from "../../shared/privilegeRisks";
import { DescribedApis, type DescribedApi } from "../describedApis";
import { isApiKeyType, NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";
import { backendNamed } from "../../provider/backends/registry";
import { keysOf } from "../../provider/records";
import { holdsPlaceholder } from "./secrets";
import type { ExportedResource, ExportSource } from "./stackExport";

/**
 * An ApiKey's outputs as state holds them, one schema per field the report reads. Every field is
 * optional; one that is there but cannot be read (a secret in the export, a date that is not one,
 * another shape) is left out of the state and listed as unreadable: it neither hides the key nor
 * passes for absent (an unreadable lastUsedAt is not "never used").
 */
function outputSchemas() {
  const text = z.string();
  // Date.parse's reading, as every age and expiry in the report computes it.
  const date = z.string().refine((s) => Number.isFinite(Date.parse(s)));
  const privilege = z.looseObject({ owner: z.string(), targetDomain: z.string(), type: z.string(), targetIds: z.array(z.string()).optional() });
  return {
    keyId: text,
    displayName: text,
    description: text,
    environment: z.enum(["live", "test"]),
    enabled: z.boolean(),
    privileges: z.array(privilege),
    scopes: z.array(z.string()),
    expiresAt: date,
    lifetime: text,
    rotation: z.looseObject({ rotateAfterDays: z.number().optional(), renewBeforeExpiry: z.string().optional(), trigger: z.string().optional() }),
    metadata: z.record(z.string(), z.string()),
    backend: text,
    organizationId: text,
    createdAt: date,
    rotatedAt: date,
    lastUsedAt: date,
    revokedReason: text,
    secretPending: z.boolean(),
    exposure: z.looseObject({ severity: z.string().optional() }),
  };
}

type OutputSchemas = ReturnType<typeof outputSchemas>;
export type ReportedOutput = keyof OutputSchemas;
export type ApiKeyState = { readonly [F in ReportedOutput]?: z.infer<OutputSchemas[F]> };

const SCHEMAS = outputSchemas();
/** The outputs the report reads: a --show-secrets export shows these (stackExport.ts), and no other. */
export const REPORTED_OUTPUTS: readonly ReportedOutput[] = keysOf(SCHEMAS);

const DATES: ReadonlySet<ReportedOutput> = new Set(["expiresAt", "createdAt", "rotatedAt", "lastUsedAt"]);

/** Why a field could not be read. */
export type UnreadableReason = "secret" | "not a date" | "unexpected shape";
export interface UnreadableField {
  readonly field: ReportedOutput;
  readonly why: UnreadableReason;
}

/** The outputs the report reads, and those it could not; absent (or null) is absent, not unreadable. */
function readApiKeyState(outputs: Record<string, unknown>): { state: ApiKeyState; unreadable: UnreadableField[] } {
  const state: Record<string, unknown> = {};
  const unreadable: UnreadableField[] = [];
  for (const field of REPORTED_OUTPUTS) {
    const value = Object.hasOwn(outputs, field) ? outputs[field] : undefined;
    if (value === undefined || value === null) continue;
    const parsed = SCHEMAS[field].safeParse(value);
    if (parsed.success) state[field] = parsed.data;
    else if (holdsPlaceholder(value)) unreadable.push({ field, why: "secret" });
    else unreadable.push({ field, why: DATES.has(field) && typeof value === "string" ? "not a date" : "unexpected shape" });
  }
  return { state: apiKeyState(state), unreadable };
}

/** The state read field by field above: each value parsed by its field's schema (zod says no more than that). */
function apiKeyState(fields: Record<string, unknown>): ApiKeyState {
  return z.object(SCHEMAS).partial().parse(fields);
}

/** One privilege of a key, with its risk from the catalogue (the review's and policy pack's). */
export interface AssessedPrivilege {
  readonly privilege: string;
  /** The most severe risk, `none` when the catalogue has none (or the rules file accepts it for this key). */
  readonly severity: Severity;
  readonly reasons: readonly string[];
  /** Why the rules file accepts it for this key, when it does. */
  readonly accepted?: string;
}

/** One scope of a described API's key, with its risk (the rules file's scopes, the description's risks), "unknown" where neither says. */
export interface AssessedScope {
  readonly scope: string;
  readonly risk: ScopeRiskLevel;
  readonly reason: string;
}

/** How the key gets a new secret, as declared: what "older than the rotation policy" measures against. */
export interface RotationPolicy {
  readonly rotateAfterDays?: number;
  readonly lifetime?: string;
  readonly renewBeforeExpiry?: string;
}

/**
 * Last use: `reported` when the key's API says when a key was used (then no `at` means never used);
 * not reported for APIs without it (Didomi), where nothing can be concluded; `unreadable` when the
 * state holds it (or the backend) in a form the report cannot read, where nothing can be concluded either.
 */
export type LastUse =
  | { readonly reported: true; readonly at?: string; /** Whole days since the last use, or since creation when never used. */ readonly daysUnused?: number }
  | { readonly reported: false; readonly unreadable?: true };

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
  /** A described API's scopes (its privileges there), each with its risk. */
  readonly scopes: readonly AssessedScope[];
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
  /** The outputs it could not read, in REPORTED_OUTPUTS order; the findings say what they may hide. */
  readonly unreadable: readonly UnreadableField[];
}

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (rounded down), or undefined without two valid dates. */
function daysBetween(from: string | undefined, to: Date): number | undefined {
  const days = Math.floor((to.getTime() - (from === undefined ? NaN : Date.parse(from))) / DAY_MS);
  return Number.isFinite(days) ? days : undefined;
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

/**
 * Whether the key's API reports last use: the backend's descriptor says so, or, for a backend whose
 * capabilities come from the connection (a described API), the key has a recorded use (only such an
 * API records one) or its description answers lastUsedAt.
 */
function reportsLastUse(state: ApiKeyState, described: readonly DescribedApi[]): boolean {
  // A backend not in this version's registry: treat like one that does not report (no conclusion).
  const descriptor = state.backend ? backendNamed(state.backend) : undefined;
  if (!descriptor) return false;
  if (descriptor.reportsLastUse) return true;
  return descriptor.forConnection !== undefined && (state.lastUsedAt !== undefined || described.some((api) => api.reportsLastUse));
}

function lastUseOf(state: ApiKeyState, unknown: ReadonlySet<ReportedOutput>, asOf: Date, described: readonly DescribedApi[]): LastUse {
  if (unknown.has("lastUsedAt") || unknown.has("backend")) return { reported: false, unreadable: true };
  if (!reportsLastUse(state, described)) return { reported: false };
  // A use after the report's date (--as-of a quarter's end) counts as a use on that date.
  const elapsed = daysBetween(state.lastUsedAt ?? state.createdAt, asOf);
  const daysUnused = elapsed === undefined ? undefined : Math.max(0, elapsed);
  return { reported: true, ...(state.lastUsedAt ? { at: state.lastUsedAt } : {}), ...(daysUnused !== undefined ? { daysUnused } : {}) };
}

/** The ApiKeys (dynamic and native) of one export as report rows, as of `asOf`. */
export function keyRecordsOf(exported: ExportSource, catalogue: RiskCatalogue, asOf: Date, apis = new DescribedApis(process.cwd())): KeyRecord[] {
  return (exported.export.deployment.resources ?? []).filter((r) => isApiKeyType(r.type)).map((r) => keyRecordOf(r, exported.source, catalogue, asOf, apis));
}

/**
 * One ApiKey resource as a report row, as of `asOf`; `source` says where it was read. `apis` finds a
 * described API's description (the key's own `connection.api` where state shows it in plain text).
 */
export function keyRecordOf(resource: KeyResource, source: string, catalogue: RiskCatalogue, asOf: Date, apis = new DescribedApis(process.cwd())): KeyRecord {
  const { state, unreadable } = readApiKeyState(resource.outputs ?? {});
  const described = state.backend && backendNamed(state.backend)?.forConnection ? apis.forKey(resource.outputs?.connection) : [];
  const scopeRules = described.flatMap((api) => api.scopeRules);
  const scopes = (state.scopes ?? []).map((scope) => {
    const { risk, reason } = catalogue.assessScope(scope, scopeRules);
    return { scope, risk, reason };
  });
  const unknown = new Set(unreadable.map((u) => u.field));
  const { stack, project, name } = urnParts(resource.urn);
  // Creation stands for the last rotation only where state has no rotatedAt, not where it cannot be read.
  const secretIssuedAt = unknown.has("rotatedAt") ? undefined : (state.rotatedAt ?? state.createdAt);
  const labels = state.metadata ?? {};
  const owner = labels.owner ?? labels.team;
  const rotation: RotationPolicy = {
    ...(state.rotation?.rotateAfterDays !== undefined ? { rotateAfterDays: state.rotation.rotateAfterDays } : {}),
    ...(state.lifetime ? { lifetime: state.lifetime } : {}),
    ...(state.rotation?.renewBeforeExpiry ? { renewBeforeExpiry: state.rotation.renewBeforeExpiry } : {}),
  };
  const issuedDaysAgo = daysBetween(secretIssuedAt, asOf);
  const secretAgeDays = issuedDaysAgo === undefined ? undefined : Math.max(0, issuedDaysAgo);
  const daysToExpiry = state.expiresAt === undefined ? undefined : daysBetween(asOf.toISOString(), new Date(state.expiresAt));
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
    scopes,
    ...(state.createdAt ? { createdAt: state.createdAt } : {}),
    ...(secretIssuedAt ? { secretIssuedAt } : {}),
    ...(secretAgeDays !== undefined ? { secretAgeDays } : {}),
    rotation,
    ...(state.expiresAt ? { expiresAt: state.expiresAt } : {}),
    ...(daysToExpiry !== undefined ? { daysToExpiry } : {}),
    lastUse: lastUseOf(state, unknown, asOf, described),
    status: statusOf(resource, state, asOf),
    unreadable,
  };
}
