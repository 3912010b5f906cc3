// The review's report of a preview's key changes (keyChanges.ts): Markdown for a pull-request comment,
// JSON, GitHub annotations. The credential report of the keys a stack holds is credentials/report.ts.
import { markdownCell, markdownCode, markdownText } from "../shared/markdown";
import { privilegeKey } from "../shared/privilege";
import type { KeyChange, Risk } from "./keyChanges";

const OPERATION_LABELS = { create: "create", update: "update in place", replace: "**replace**", delete: "**delete**" } as const;

/**
 * What a preview and the rules file hold (a resource name, an environment, a privilege's targetIds,
 * a risk's or an acceptance's reason) goes through shared/markdown.ts; the report's own markup (bold,
 * <br>, the marks) is added around it.
 */
const cell = markdownCell;

function environmentCell(change: KeyChange): string {
  const { before, after } = change.environment;
  return before && after && before !== after ? `${markdownText(before)} → **${markdownText(after)}**` : cell(after ?? before ?? "");
}

function secretCell(change: KeyChange): string {
  if (change.operation === "create") return "new secret";
  if (change.operation === "delete") return "revoked";
  if (!change.secretChanges) return "unchanged";
  return `**new secret**${change.secretReasons.length ? ` (${markdownText(change.secretReasons.join(", "))})` : ""}`;
}

/** "high: grants SEARCH_API/IMPERSONATE/ENABLE — can run queries as any user" */
function riskText(risk: Risk): string {
  return `${risk.severity}: ${risk.privilege ? `grants ${risk.privilege} — ` : ""}${risk.reason}`;
}

function riskCell(change: KeyChange): string {
  const risks = change.risks.map((r) => `${r.severity === "high" ? "⛔" : "⚠️"} ${riskText(r)}`);
  return [...risks, ...change.notes].map(markdownText).join("<br>") || "–";
}

function summary(changes: readonly KeyChange[]): string {
  const high = changes.filter((c) => c.risks.some((r) => r.severity === "high")).length;
  const medium = changes.filter((c) => c.risks.length > 0).length - high;
  const parts = [high ? `**${high} with a high risk ⛔**` : "", medium ? `**${medium} with a medium risk ⚠️**` : ""].filter(Boolean);
  return `${changes.length} key${changes.length === 1 ? "" : "s"} changed${parts.length ? `, ${parts.join(", ")}` : ", no risk found"}.`;
}

/** A Markdown report for a pull-request comment: one row per key, risks with the catalogue's reason. */
export function markdownReport(changes: readonly KeyChange[]): string {
  const lines = ["### API key changes", ""];
  if (changes.length === 0) return `${lines.join("\n")}No API key changes.\n`;
  lines.push(
    summary(changes),
    "",
    "| key | operation | environment | privileges added | privileges removed | secret | risk |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const c of changes) {
    // A described API's scopes are its privileges: listed with them, marked as scopes.
    const privileges = (list: KeyChange["privilegesAdded"], scopes: readonly string[]) =>
      [...list.map((p) => markdownCode(privilegeKey(p))), ...scopes.map((scope) => `${markdownCode(scope)} (scope)`)].join("<br>") || "–";
    lines.push(
      `| ${cell(c.name)} | ${OPERATION_LABELS[c.operation]} | ${environmentCell(c)} | ${privileges(c.privilegesAdded, c.scopesAdded)} | ${privileges(c.privilegesRemoved, c.scopesRemoved)} | ${secretCell(c)} | ${riskCell(c)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function jsonReport(changes: readonly KeyChange[]): string {
  const count = (severity: Risk["severity"]) => changes.filter((c) => c.risks.some((r) => r.severity === severity)).length;
  return `${JSON.stringify({ changes, escalations: changes.filter((c) => c.risks.length > 0).length, high: count("high"), medium: count("medium") }, null, 2)}\n`;
}

/** GitHub Actions workflow commands: each risk becomes an annotation on the pull request's checks page. */
export function githubAnnotations(changes: readonly KeyChange[]): string {
  // Workflow command values escape %, CR and LF; properties also escape : and ,.
  const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const property = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  const lines = changes.flatMap((c) =>
    c.risks.map(
      (r) =>
        `::${r.severity === "high" ? "error" : "warning"} title=${property(`API key ${c.name}: ${r.severity} risk`)}::${data(`${c.name} (${c.operation}) ${riskText(r)}`)}`,
    ),
  );
  return lines.length ? `${lines.join("\n")}\n` : "";
}
