import type { CredentialReport } from "../report";

/**
 * GitHub Actions workflow commands: each high or medium finding becomes an annotation on the run's
 * page (low ones stay in the summary). The Markdown report goes to stdout beside them.
 */
export function githubCredentialAnnotations(report: CredentialReport): string {
  // Workflow command values escape %, CR and LF; properties also escape : and ,.
  const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  const property = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
  const lines = report.keys.flatMap((k) =>
    k.findings
      .filter((f) => f.severity !== "low")
      .map(
        (f) =>
          `::${f.severity === "high" ? "error" : "warning"} title=${property(`API key ${k.stack} ${k.name}: ${f.kind}`)}::${data(`${k.name}: ${f.message}`)}`,
      ),
  );
  return lines.length ? `${lines.join("\n")}\n` : "";
}
