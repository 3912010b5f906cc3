import { findingCounts, type CredentialReport } from "../report";

/** The report as JSON for other tools: every key with its findings, and the counts. */
export function jsonCredentialReport(report: CredentialReport): string {
  return `${JSON.stringify({ ...report, findings: findingCounts(report) }, null, 2)}\n`;
}
