import type { ReportThresholds } from "../../shared/privilegeRisks";
import type { KeyRecord, ReportedOutput, UnreadableField } from "./keyRecords";

/**
 * What an access review should act on, one kind per question it asks (SOC 2 CC6.2/CC6.3, ISO 27001
 * A.5.18 access rights review): is it still used, is its secret fresh, will it ever end?
 */
export const FINDING_KINDS = ["unused-high-risk", "unused", "never-used", "stale-secret", "no-rotation-no-expiry", "expiring", "unreadable"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];
export const FINDING_SEVERITIES = ["high", "medium", "low"] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: FindingSeverity;
  /** What is wrong and what to do, for the report's reader. */
  readonly message: string;
  /** An `unreadable` finding: the findings the unreadable fields may hide (`--fail-on` matches them too). */
  readonly hides?: readonly FindingKind[];
}

/** Each finding but `unreadable`, whose severity is that of the worst finding it may hide. */
const SEVERITY: Record<Exclude<FindingKind, "unreadable">, FindingSeverity> = {
  // Power nobody uses is the first thing to remove: it can only be abused.
  "unused-high-risk": "high",
  unused: "medium",
  "never-used": "medium",
  "stale-secret": "medium",
  "no-rotation-no-expiry": "medium",
  // An outage risk more than an access one.
  expiring: "low",
};

const RANK: Record<FindingSeverity, number> = { high: 2, medium: 1, low: 0 };

export function severityAtLeast(severity: FindingSeverity, threshold: FindingSeverity): boolean {
  return RANK[severity] >= RANK[threshold];
}

const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;

/** A key that can no longer be used: nothing to act on but its removal, which its status already says. */
function isDead(record: KeyRecord): boolean {
  return record.status === "expired" || record.status === "revoked (leaked)" || record.status === "pending deletion";
}

/** Unused past the threshold, or never used that long after its creation; undefined when it is used (or unknown). */
export function unusedFinding(record: KeyRecord, thresholds: Pick<ReportThresholds, "unusedDays">): Finding | undefined {
  const use = record.lastUse;
  if (isDead(record) || !use.reported || use.daysUnused === undefined || use.daysUnused < thresholds.unusedDays) return undefined;
  if (use.at) {
    return {
      kind: "unused",
      severity: SEVERITY.unused,
      message: `not used for ${days(use.daysUnused)} (threshold ${thresholds.unusedDays}): delete it if nobody needs it`,
    };
  }
  return {
    kind: "never-used",
    severity: SEVERITY["never-used"],
    message: `never used in the ${days(use.daysUnused)} since its creation (threshold ${thresholds.unusedDays}): delete it if nobody needs it`,
  };
}

/** Whether the report could read none of `fields`: a finding that reads them says nothing then (the unreadable one does). */
function unreadableAmong(record: KeyRecord, ...fields: ReportedOutput[]): boolean {
  return record.unreadable.some((u) => fields.includes(u.field));
}

/** The secret is older than the key's rotateAfterDays, or than maxSecretAgeDays when it declares none. */
export function staleSecretFinding(record: KeyRecord, thresholds: Pick<ReportThresholds, "maxSecretAgeDays">): Finding | undefined {
  if (isDead(record) || record.secretAgeDays === undefined || unreadableAmong(record, "rotation")) return undefined;
  const limit = record.rotation.rotateAfterDays ?? thresholds.maxSecretAgeDays;
  if (record.secretAgeDays <= limit) return undefined;
  const why =
    record.rotation.rotateAfterDays !== undefined
      ? `its rotation policy (rotateAfterDays ${limit}): run \`pulumi up\`, which rotates it`
      : `${limit} days with no rotation policy: set rotation.rotateAfterDays, or change rotation.trigger to rotate it now`;
  return { kind: "stale-secret", severity: SEVERITY["stale-secret"], message: `secret ${days(record.secretAgeDays)} old, older than ${why}` };
}

/** What no-rotation-no-expiry reads: whether the key is a test key, and each way it could get a new secret or end. */
const DECIDE_NO_ROTATION = ["rotation", "lifetime", "expiresAt", "environment", "backend"] as const;

/** A production key that never gets a new secret and never ends. Keys without an environment (Coveo, Didomi) are production keys. */
function noRotationNoExpiryFinding(record: KeyRecord): Finding | undefined {
  if (isDead(record) || record.environment === "test" || unreadableAmong(record, ...DECIDE_NO_ROTATION)) return undefined;
  const { rotateAfterDays, lifetime, renewBeforeExpiry } = record.rotation;
  if (rotateAfterDays !== undefined || lifetime !== undefined || renewBeforeExpiry !== undefined || record.expiresAt !== undefined) return undefined;
  return {
    kind: "no-rotation-no-expiry",
    severity: SEVERITY["no-rotation-no-expiry"],
    message: "a live key with no rotation and no expiry: set rotation.rotateAfterDays, or a lifetime (or expiresAt)",
  };
}

function expiringFinding(record: KeyRecord, thresholds: Pick<ReportThresholds, "expiringDays">): Finding | undefined {
  if (isDead(record) || record.daysToExpiry === undefined || record.daysToExpiry < 0 || record.daysToExpiry > thresholds.expiringDays) return undefined;
  const renewal = record.rotation.renewBeforeExpiry ? "the next `pulumi up` renews it (rotation.renewBeforeExpiry)" : "renew it or let it end on purpose";
  return { kind: "expiring", severity: SEVERITY.expiring, message: `expires in ${days(record.daysToExpiry)}: ${renewal}` };
}

/**
 * The findings that fields the report cannot read may hide: those that could appear were each such
 * field any value at all, and do not already. A dead key hides nothing (it gets no findings).
 */
function hiddenFindings(record: KeyRecord, thresholds: ReportThresholds, unknown: ReadonlySet<ReportedOutput>): FindingKind[] {
  if (isDead(record)) return [];
  const hidden: FindingKind[] = [];
  const use = record.lastUse;
  const useUnknown = (!use.reported && use.unreadable === true) || (use.reported && use.daysUnused === undefined && unknown.has("createdAt"));
  const unused = useUnknown || unusedFinding(record, thresholds) !== undefined;
  if (unused && (unknown.has("privileges") || (useUnknown && record.privileges.some((p) => p.severity === "high")))) hidden.push("unused-high-risk");
  if (useUnknown) hidden.push("unused", "never-used");
  if ((record.secretAgeDays === undefined && (unknown.has("rotatedAt") || unknown.has("createdAt"))) || unknown.has("rotation")) hidden.push("stale-secret");
  const { rotateAfterDays, lifetime, renewBeforeExpiry } = record.rotation;
  const declared = rotateAfterDays !== undefined || lifetime !== undefined || renewBeforeExpiry !== undefined || record.expiresAt !== undefined;
  const decides = DECIDE_NO_ROTATION.some((field) => unknown.has(field));
  if (!declared && decides && record.environment !== "test") hidden.push("no-rotation-no-expiry");
  if (unknown.has("expiresAt")) hidden.push("expiring");
  return hidden;
}

const REASONS: Record<UnreadableField["why"], (count: number) => string> = {
  secret: (count) => (count === 1 ? "a secret in this export" : "secrets in this export"),
  "not a date": (count) => (count === 1 ? "not a date" : "not dates"),
  "unexpected shape": () => "of an unexpected shape",
};
const FIXES: Record<UnreadableField["why"], string> = {
  secret: "read an export made with `pulumi stack export --show-secrets` (the report prints none of it; delete the file after)",
  "not a date": "run `pulumi refresh` to read the key from its API again",
  "unexpected shape": "run `pulumi refresh` to read the key from its API again",
};

/** `a`, `a and b`, `a, b and c`. */
const listed = (items: readonly string[]) => (items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`);

/**
 * Fields the report cannot read: as severe as the worst finding they may hide (low when they hide
 * none), so neither the summary nor the exit code takes the key for a clean one.
 */
function unreadableFinding(record: KeyRecord, thresholds: ReportThresholds, found: readonly FindingKind[]): Finding | undefined {
  if (record.unreadable.length === 0) return undefined;
  const hides = hiddenFindings(record, thresholds, new Set(record.unreadable.map((u) => u.field))).filter((kind) => !found.includes(kind));
  const severity = hides.reduce<FindingSeverity>(
    (worst, kind) => (kind !== "unreadable" && RANK[SEVERITY[kind]] > RANK[worst] ? SEVERITY[kind] : worst),
    "low",
  );
  const whys = [...new Set(record.unreadable.map((u) => u.why))];
  const what = whys.map((why) => {
    const fields = record.unreadable.filter((u) => u.why === why).map((u) => u.field);
    return `${listed(fields)} (${REASONS[why](fields.length)})`;
  });
  const effect = hides.length ? `it may hide ${hides.join(", ")}` : `no finding depends on ${record.unreadable.length === 1 ? "it" : "them"}`;
  const fixes = [...new Set(whys.map((why) => FIXES[why]))];
  return { kind: "unreadable", severity, message: `cannot read ${listed(what)}: ${effect}; ${fixes.join(", or ")}`, hides };
}

/** Every finding for one key, the most severe first. Pure: the same record and thresholds, the same findings. */
export function findingsFor(record: KeyRecord, thresholds: ReportThresholds): Finding[] {
  const findings: Finding[] = [];
  const unused = unusedFinding(record, thresholds);
  if (unused) {
    const high = [
      ...record.privileges.filter((p) => p.severity === "high").map((p) => p.privilege),
      ...record.scopes.filter((s) => s.risk === "high").map((s) => `scope ${s.scope}`),
    ];
    if (high.length > 0) {
      findings.push({
        kind: "unused-high-risk",
        severity: SEVERITY["unused-high-risk"],
        message: `holds high-risk ${high.length === 1 ? "privilege" : "privileges"} ${high.join(", ")} and is ${unused.kind === "unused" ? "unused" : "never used"}: remove the privilege or the key`,
      });
    }
    findings.push(unused);
  }
  for (const finding of [staleSecretFinding(record, thresholds), noRotationNoExpiryFinding(record), expiringFinding(record, thresholds)])
    if (finding) findings.push(finding);
  const unreadable = unreadableFinding(
    record,
    thresholds,
    findings.map((f) => f.kind),
  );
  if (unreadable) findings.push(unreadable);
  // A stable sort: an unreadable finding comes first among those of its severity.
  return findings.sort((a, b) => RANK[b.severity] - RANK[a.severity] || Number(b.kind === "unreadable") - Number(a.kind === "unreadable"));
}
