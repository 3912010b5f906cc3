import { markdownCell, markdownCode, markdownText } from "../../../shared/markdown";
import type { Finding } from "../findings";
import { findingCounts, type CredentialReport, type ReportedKey } from "../report";
import { expiryText, lastUseText, ownerText, rotationText, secretAgeText, unreadableText } from "./text";

const MARK: Record<Finding["severity"], string> = { high: "⛔", medium: "⚠️", low: "ℹ️" };

/**
 * Every text from state goes through shared/markdown.ts (a key's description, labels, targetIds, and
 * the finding messages that quote them); the report's own markup is added around it: <br> between
 * the lines of a cell, emphasis, the severity marks.
 */
const cell = markdownCell;

const SCOPE_RISK = { high: " ⛔ high", medium: " ⚠️ medium", low: " low", unknown: " risk unknown" } as const;

function privilegesCell(key: ReportedKey): string {
  const unreadable = unreadableText(key, "privileges");
  if (unreadable) return cell(unreadable);
  const privileges = key.privileges.map(
    (p) =>
      `${markdownCode(p.privilege)}${p.severity === "none" ? "" : ` ${p.severity === "high" ? "⛔" : "⚠️"} ${p.severity}`}${p.accepted ? " (accepted)" : ""}`,
  );
  // A described API's scopes are its privileges: listed with them, with their risk ("unknown" where nothing rates them).
  const scopes = key.scopes.map((s) => `${markdownCode(s.scope)} (scope)${SCOPE_RISK[s.risk]}`);
  return [...privileges, ...scopes].join("<br>") || "–";
}

function findingsCell(key: ReportedKey): string {
  return key.findings.map((f) => `${MARK[f.severity]} ${markdownText(f.message)}`).join("<br>") || "–";
}

function summary(report: CredentialReport): string {
  const stacks = new Set(report.keys.map((k) => k.stack)).size;
  const counts = findingCounts(report);
  const parts = [
    counts.high ? `**${counts.high} high** ⛔` : "",
    counts.medium ? `**${counts.medium} medium** ⚠️` : "",
    counts.low ? `${counts.low} low ℹ️` : "",
  ].filter(Boolean);
  const keys = `${report.keys.length} key${report.keys.length === 1 ? "" : "s"} in ${stacks} stack${stacks === 1 ? "" : "s"}`;
  const found = parts.length ? `findings: ${parts.join(", ")} on ${counts.keysWithFindings} key${counts.keysWithFindings === 1 ? "" : "s"}` : "no findings";
  const t = report.thresholds;
  return (
    `As of ${report.asOf.slice(0, 10)}: ${keys}; ${found}. ` +
    `Thresholds: unused after ${t.unusedDays} days, secrets older than ${t.maxSecretAgeDays} days without a rotation policy, expiring within ${t.expiringDays} days.`
  );
}

/** The report as Markdown: a summary line and one table row per key (for a job summary or an issue). */
export function markdownCredentialReport(report: CredentialReport): string {
  const lines = ["### API key credential report", ""];
  if (report.keys.length === 0) return `${lines.join("\n")}\nNo API keys in ${markdownText(report.sources.join(", ")) || "the given stacks"}.\n`;
  lines.push(
    summary(report),
    "",
    "| stack | key | backend | organization | environment | owner | privileges | secret age | rotation | expires | last used | status | findings |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  for (const k of report.keys) {
    const row = [
      cell(k.stack),
      cell(k.name),
      cell(k.backend ?? ""),
      cell(k.organizationId ?? ""),
      cell(k.environment ?? ""),
      cell(ownerText(k)),
      privilegesCell(k),
      cell(secretAgeText(k)),
      cell(rotationText(k.rotation)),
      cell(expiryText(k)),
      cell(lastUseText(k.lastUse, k.backend)),
      cell(k.status),
      findingsCell(k),
    ];
    lines.push(`| ${row.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}
