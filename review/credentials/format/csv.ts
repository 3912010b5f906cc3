import type { CredentialReport, ReportedKey } from "../report";
import { rotationText } from "./text";

/** The worst risk of a key's privileges and scopes: "unknown" only where an unrated scope is the worst that can be said. */
function highestRisk(k: ReportedKey): string {
  const levels = [...k.privileges.map((p) => p.severity), ...k.scopes.map((s) => s.risk)];
  return (["high", "medium", "unknown"] as const).find((level) => levels.includes(level)) ?? "none";
}

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
  // A described API's scopes are its privileges there: in the same column, each with its risk.
  ["privileges", (k) => [...k.privileges.map((p) => p.privilege), ...k.scopes.map((s) => `${s.scope} (${s.risk})`)].join("; ")],
  ["highest_risk", (k) => highestRisk(k)],
  ["created_at", (k) => k.createdAt],
  ["secret_issued_at", (k) => k.secretIssuedAt],
  ["secret_age_days", (k) => k.secretAgeDays],
  ["rotation_policy", (k) => rotationText(k.rotation)],
  ["expires_at", (k) => k.expiresAt],
  // N/A as AWS writes it where the key API does not report last use; empty when it was never used.
  ["last_used_at", (k) => (k.lastUse.reported ? k.lastUse.at : k.lastUse.unreadable ? "unreadable" : "N/A")],
  ["days_unused", (k) => (k.lastUse.reported ? k.lastUse.daysUnused : k.lastUse.unreadable ? "unreadable" : "N/A")],
  ["status", (k) => k.status],
  ["findings", (k) => k.findings.map((f) => f.kind).join("; ")],
  // What the `unreadable` finding is about: the outputs the report could not read (a secret, not a date).
  ["unreadable_fields", (k) => k.unreadable.map((u) => u.field).join("; ")],
];

/**
 * One field, safe to open in a spreadsheet whatever separator it splits on: a description comes from
 * code anyone can change (OWASP's CSV injection advice).
 *
 * - A text that would start a formula (= + - @, tab, CR first) is prefixed with '. So is such a
 *   character right after a separator or line break inside the text: a spreadsheet that splits on
 *   `;` (many locales) or tab reads the file's `,`-separated lines as one field up to the first `;`,
 *   and there a quote that opens a field mid-way is a plain character, so `ok;=1+1` would start a
 *   field `=1+1` however it is quoted.
 * - Quoted (RFC 4180) when it holds a quote, a line break or any common separator (comma, semicolon,
 *   tab), and when it starts like a formula.
 */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return "";
  if (typeof value === "number") return String(value);
  const text = value.replace(/(?<=^|[,;\t\r\n])(?=[=+\-@\t\r])/g, "'");
  return /^'|[",;\t\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The report as CSV: one header row, then one row per key; CRLF line ends (RFC 4180). */
export function csvCredentialReport(report: CredentialReport): string {
  const rows = [COLUMNS.map(([name]) => name), ...report.keys.map((k) => COLUMNS.map(([, value]) => csvField(value(k))))];
  return rows.map((row) => row.join(",")).join("\r\n") + "\r\n";
}
