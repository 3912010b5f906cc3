import type { CredentialReport, ReportedKey } from "../report";
import { rotationText } from "./text";

/** The columns, in order: named like AWS's IAM credential report's (snake_case), one row per key. */
const COLUMNS: ReadonlyArray<readonly [string, (k: ReportedKey) => string | number | undefined]> = [
  ["stack", (k) => k.stack],
  ["key", (k) => k.name],
  ["key_id", (k) => k.keyId],
  ["display_name", (k) => k.displayName],
  ["backend", (k) => k.backend],
  ["organization", (k) => k.organizationId],
  ["environment", (k) => k.environment],
  ["owner", (k) => k.owner],
  ["description", (k) => k.description],
  ["privileges", (k) => k.privileges.map((p) => p.privilege).join("; ")],
  ["highest_risk", (k) => (k.privileges.some((p) => p.severity === "high") ? "high" : k.privileges.some((p) => p.severity === "medium") ? "medium" : "none")],
  ["created_at", (k) => k.createdAt],
  ["secret_issued_at", (k) => k.secretIssuedAt],
  ["secret_age_days", (k) => k.secretAgeDays],
  ["rotation_policy", (k) => rotationText(k.rotation)],
  ["expires_at", (k) => k.expiresAt],
  // N/A as AWS writes it where the key API does not report last use; empty when it was never used.
  ["last_used_at", (k) => (k.lastUse.reported ? k.lastUse.at : "N/A")],
  ["days_unused", (k) => (k.lastUse.reported ? k.lastUse.daysUnused : "N/A")],
  ["status", (k) => k.status],
  ["findings", (k) => k.findings.map((f) => f.kind).join("; ")],
];

/**
 * One field: quoted when it holds a comma, quote or line break (RFC 4180); a text that a spreadsheet
 * would run as a formula (= + - @, tab, CR) is prefixed with ' (OWASP's CSV injection advice): a
 * description comes from code anyone can change.
 */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV: one header row, then one row per key; CRLF line ends (RFC 4180). */
export function csvCredentialReport(report: CredentialReport): string {
  const rows = [COLUMNS.map(([name]) => name), ...report.keys.map((k) => COLUMNS.map(([, value]) => csvField(value(k))))];
  return rows.map((row) => row.join(",")).join("\r\n") + "\r\n";
}
