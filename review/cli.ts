#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { errorCodeOf, messageOf } from "../shared/caught";
import { atLeast, findRulesFile, loadRulesFile, RiskCatalogue, RulesFileError, type Severity } from "../shared/privilegeRisks";
import { keyChanges, type KeyChange } from "./keyChanges";
import { parsePreviewJson, PreviewParseError } from "./previewJson";
import { githubAnnotations, jsonReport, markdownReport } from "./report";
import { runReport, type ReportIo } from "./credentials/cli";

const usage = `pulumi-apikeys review [FILE] [--format markdown|json|github] [--fail-on high|medium|escalation] [--rules FILE]

Reads \`pulumi preview --json\` (from FILE, or standard input) and prints which API keys change:
operation, privileges added and removed, environment, whether the secret changes, and the risk of
each added privilege from the privilege risk catalogue (docs/review.md, "Privilege risks").

--format github   the Markdown report on stdout, and one GitHub Actions annotation per risk on
                  stderr, so risks show on the pull request's checks page
--fail-on high    exit 2 when a key gains a high-risk privilege; medium (or escalation) for any risk
--rules FILE      the team's rules file; by default apikeys-review.json in the working directory or
                  the nearest parent up to the repository root

pulumi-apikeys report: the credential report of the keys in stacks (pulumi-apikeys report --help).
`;

const FAIL_ON: Record<string, Exclude<Severity, "none"> | undefined> = { high: "high", medium: "medium", escalation: "medium" };

/** The `review` command: returns the exit code so tests can call it without a process. */
export function runReview(argv: string[], io: { stdin: () => string; stdout: (s: string) => void; stderr: (s: string) => void; cwd?: string }): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { format: { type: "string", default: "markdown" }, "fail-on": { type: "string" }, rules: { type: "string" }, help: { type: "boolean" } },
    });
  } catch (error) {
    io.stderr(`review: ${messageOf(error)}\n${usage}`);
    return 64;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const args = positionals[0] === "review" ? positionals.slice(1) : positionals;
  if (values.format !== "markdown" && values.format !== "json" && values.format !== "github") {
    io.stderr(`review: --format must be markdown, json or github, got "${values.format}"\n`);
    return 64;
  }
  const failOn = values["fail-on"] === undefined ? undefined : FAIL_ON[values["fail-on"]];
  if (values["fail-on"] !== undefined && !failOn) {
    io.stderr(`review: --fail-on takes high, medium or escalation (same as medium), got "${values["fail-on"]}"\n`);
    return 64;
  }
  let changes: KeyChange[];
  try {
    const rulesFile = values.rules ?? findRulesFile(io.cwd ?? process.cwd());
    const catalogue = new RiskCatalogue(rulesFile ? loadRulesFile(rulesFile) : {});
    const text = args[0] && args[0] !== "-" ? readFileSync(args[0], "utf8") : io.stdin();
    changes = keyChanges(parsePreviewJson(text), catalogue);
  } catch (error) {
    if (error instanceof PreviewParseError || error instanceof RulesFileError || errorCodeOf(error) === "ENOENT") {
      io.stderr(`review: ${messageOf(error)}\n`);
      return 66;
    }
    throw error;
  }
  io.stdout(values.format === "json" ? jsonReport(changes) : markdownReport(changes));
  if (values.format === "github") io.stderr(githubAnnotations(changes));
  const failing = failOn && changes.some((c) => c.risks.some((r) => atLeast(r.severity, failOn)));
  return failing ? 2 : 0;
}

/** The `pulumi-apikeys` command: `report ...` is the credential report, anything else the review. */
export function runCli(argv: string[], io: ReportIo): number {
  return argv[0] === "report" ? runReport(argv.slice(1), io) : runReview(argv, io);
}

if (require.main === module) {
  process.exitCode = runCli(process.argv.slice(2), {
    stdin: () => readFileSync(0, "utf8"),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
}
