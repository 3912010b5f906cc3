import { privilegeKey } from "../shared/privilege";
import type { KeyChange } from "./keyChanges";

const OPERATION_LABELS = { create: "create", update: "update in place", replace: "**replace**", delete: "**delete**" } as const;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|") || "–";
}

function environmentCell(change: KeyChange): string {
  const { before, after } = change.environment;
  return before && after && before !== after ? `${before} → **${after}**` : (after ?? before ?? "");
}

function secretCell(change: KeyChange): string {
  if (change.operation === "create") return "new secret";
  if (change.operation === "replace") return `**new secret**${change.replaceReasons.length ? ` (${change.replaceReasons.join(", ")})` : ""}`;
  if (change.operation === "delete") return "revoked";
  return "unchanged";
}

/** A Markdown report for a pull-request comment: one row per key, escalations marked. */
export function markdownReport(changes: readonly KeyChange[]): string {
  const escalations = changes.filter((c) => c.risks.length > 0);
  const lines = ["### API key changes", ""];
  if (changes.length === 0) return `${lines.join("\n")}No API key changes.\n`;
  lines.push(
    `${changes.length} key${changes.length === 1 ? "" : "s"} changed${escalations.length ? `, **${escalations.length} with an escalation ⚠️**` : ", no escalation"}.`,
    "",
    "| key | operation | environment | privileges added | privileges removed | secret | risk |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const c of changes) {
    lines.push(
      `| ${cell(c.name)} | ${OPERATION_LABELS[c.operation]} | ${cell(environmentCell(c))} | ${cell(c.privilegesAdded.map((p) => `\`${privilegeKey(p)}\``).join("<br>"))} | ${cell(
        c.privilegesRemoved.map((p) => `\`${privilegeKey(p)}\``).join("<br>"),
      )} | ${secretCell(c)} | ${c.risks.length ? `⚠️ ${cell(c.risks.join("; "))}` : ""} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function jsonReport(changes: readonly KeyChange[]): string {
  return `${JSON.stringify({ changes, escalations: changes.filter((c) => c.risks.length > 0).length }, null, 2)}\n`;
}
