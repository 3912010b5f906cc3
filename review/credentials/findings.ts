import type { ReportThresholds } from "../../shared/privilegeRisks";
import type { KeyRecord } from "./keyRecords";

/**
 * What an access review should act on, one kind per question it asks (SOC 2 CC6.2/CC6.3, ISO 27001
 * A.5.18 access rights review): is it still used, is its secret fresh, will it ever end?
 */
export const FINDING_KINDS = ["unused-high-risk", "unused", "never-used", "stale-secret", "no-rotation-no-expiry", "expiring"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];
export const FINDING_SEVERITIES = ["high", "medium", "low"] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: FindingSeverity;
  /** What is wrong and what to do, for the report's reader. */
  readonly message: string;
}

const SEVERITY: Record<FindingKind, FindingSeverity> = {
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

/** The secret is older than the key's rotateAfterDays, or than maxSecretAgeDays when it declares none. */
export function staleSecretFinding(record: KeyRecord, thresholds: Pick<ReportThresholds, "maxSecretAgeDays">): Finding | undefined {
  if (isDead(record) || record.secretAgeDays === undefined) return undefined;
  const limit = record.rotation.rotateAfterDays ?? thresholds.maxSecretAgeDays;
  if (record.secretAgeDays <= limit) return undefined;
  const why =
    record.rotation.rotateAfterDays !== undefined
      ? `its rotation policy (rotateAfterDays ${limit}): run \`pulumi up\`, which rotates it`
      : `${limit} days with no rotation policy: set rotation.rotateAfterDays, or change rotation.trigger to rotate it now`;
  return { kind: "stale-secret", severity: SEVERITY["stale-secret"], message: `secret ${days(record.secretAgeDays)} old, older than ${why}` };
}

/** A production key that never gets a new secret and never ends. Keys without an environment (Coveo, Didomi) are production keys. */
export function noRotationNoExpiryFinding(record: KeyRecord): Finding | undefined {
  if (isDead(record) || record.environment === "test") return undefined;
  const { rotateAfterDays, lifetime, renewBeforeExpiry } = record.rotation;
  if (rotateAfterDays !== undefined || lifetime !== undefined || renewBeforeExpiry !== undefined || record.expiresAt !== undefined) return undefined;
  return {
    kind: "no-rotation-no-expiry",
    severity: SEVERITY["no-rotation-no-expiry"],
    message: "a live key with no rotation and no expiry: set rotation.rotateAfterDays, or a lifetime (or expiresAt)",
  };
}

export function expiringFinding(record: KeyRecord, thresholds: Pick<ReportThresholds, "expiringDays">): Finding | undefined {
  if (isDead(record) || record.daysToExpiry === undefined || record.daysToExpiry < 0 || record.daysToExpiry > thresholds.expiringDays) return undefined;
  const renewal = record.rotation.renewBeforeExpiry ? "the next `pulumi up` renews it (rotation.renewBeforeExpiry)" : "renew it or let it end on purpose";
  return { kind: "expiring", severity: SEVERITY.expiring, message: `expires in ${days(record.daysToExpiry)}: ${renewal}` };
}

/** Every finding for one key, the most severe first. Pure: the same record and thresholds, the same findings. */
export function findingsFor(record: KeyRecord, thresholds: ReportThresholds): Finding[] {
  const findings: Finding[] = [];
  const unused = unusedFinding(record, thresholds);
  if (unused) {
    const high = record.privileges.filter((p) => p.severity === "high").map((p) => p.privilege);
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
  return findings.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
}
