import type { ReportThresholds, RiskCatalogue } from "../../shared/privilegeRisks";
import { findingsFor, severityAtLeast, type Finding, type FindingKind, type FindingSeverity } from "./findings";
import { DescribedApis } from "../describedApis";
import { keyRecordsOf, type KeyRecord } from "./keyRecords";
import type { ExportSource } from "./stackExport";

/** One key and what the review should act on. */
export type ReportedKey = KeyRecord & { readonly findings: readonly Finding[] };

/** The credential report: every ApiKey of the given stacks, as of one moment, with its findings. */
export interface CredentialReport {
  readonly asOf: string;
  readonly thresholds: ReportThresholds;
  /** The exports read, in the order given. */
  readonly sources: readonly string[];
  readonly keys: readonly ReportedKey[];
}

/** Builds the report from parsed exports; pure apart from its arguments (`asOf` is the clock). */
export function credentialReport(
  exports: readonly ExportSource[],
  catalogue: RiskCatalogue,
  thresholds: ReportThresholds,
  asOf: Date,
  apis = new DescribedApis(process.cwd()),
): CredentialReport {
  // Stacks in the order given, keys by name within each: the engine's state order is the order its steps finished.
  const keys = exports
    .flatMap((e) => keyRecordsOf(e, catalogue, asOf, apis).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    .map((record) => ({ ...record, findings: findingsFor(record, thresholds) }));
  return { asOf: asOf.toISOString(), thresholds, sources: exports.map((e) => e.source), keys };
}

/** What `--fail-on` names: a severity (that or worse) or a finding kind. */
export type FailOn = { readonly severity: FindingSeverity } | { readonly kind: FindingKind };

/** Whether any finding meets one of `failOn`; an `unreadable` finding meets a kind it may hide, as that finding would. */
export function failsOn(report: CredentialReport, failOn: readonly FailOn[]): boolean {
  return report.keys.some((k) =>
    k.findings.some((f) =>
      failOn.some((rule) => ("kind" in rule ? f.kind === rule.kind || (f.hides ?? []).includes(rule.kind) : severityAtLeast(f.severity, rule.severity))),
    ),
  );
}

/** How many findings of each severity, and how many keys have at least one. */
export function findingCounts(report: CredentialReport): Record<FindingSeverity, number> & { keysWithFindings: number } {
  const all = report.keys.flatMap((k) => k.findings);
  return {
    high: all.filter((f) => f.severity === "high").length,
    medium: all.filter((f) => f.severity === "medium").length,
    low: all.filter((f) => f.severity === "low").length,
    keysWithFindings: report.keys.filter((k) => k.findings.length > 0).length,
  };
}
