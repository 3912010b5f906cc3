import type { RiskEntry } from "./schema";

/** The row of docs/review.md's risk table for a catalogue entry; a test holds that table to the catalogue with it. */
export function readmeRow(entry: RiskEntry): string {
  const targets = entry.targets === "all" ? ' with `targetIds: ["*"]`' : "";
  const source = entry.source?.startsWith("https://") ? "Coveo privilege reference" : (entry.source ?? "");
  return `| \`${entry.privilege}\`${targets} | ${entry.severity} | ${entry.reason.replace(/\|/g, "\\|")} | ${source} |`;
}
