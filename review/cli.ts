#!/usr/bin/env node
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { errorCodeOf, messageOf } from "../shared/caught";
import { atLeast, findRulesFile, loadRulesFile, RiskCatalogue, RulesFileError, type Severity } from "../shared/privilegeRisks";
import { keyChanges, type KeyChange } from "./keyChanges";
import { parsePreviewJson, PreviewParseError } from "./previewJson";
import { githubAnnotations, jsonReport, markdownReport } from "./keyChangeReport";
import { looksLikeCommand, packageVersion, unknownCommand } from "./commands";
import { runReport, type ReportIo } from "./credentials/cli";
import { failOnItems, failOnRefusal } from "./failOn";
import { runConformanceCommand } from "./conformance/cli";
import { DescribedApis } from "./describedApis";
import { ConnectionConfigError } from "../provider/errors";

const USAGE = `pulumi-apikeys: API keys in pull requests and access reviews

Usage:
  pulumi-apikeys review [FILE] [options]           which API keys \`pulumi preview --json\` changes,
                                                   with the risk of each privilege a key gains
  pulumi-apikeys report [FILE...] [--stack NAME]   the credential report of the keys in stacks
  pulumi-apikeys conformance --api FILE            runs a key API description against the real API

  pulumi-apikeys <command> --help                  a command's options
  pulumi-apikeys --version                         the version
`;

const usage = `pulumi-apikeys review [FILE] [--format markdown|json|github] [--fail-on LIST] [--rules FILE]

Reads \`pulumi preview --json\` (from FILE, or standard input) and prints which API keys change:
operation, privileges added and removed, environment, whether the secret changes, and the risk of
each added privilege from the privilege risk catalogue (docs/review.md, "Privilege risks").

--format github   the Markdown report on stdout, and one GitHub Actions annotation per risk on
                  stderr, so risks show on the pull request's checks page
--fail-on LIST    exit 2 when a key gains a privilege of these risks, comma-separated: high, or
                  medium (any risk; escalation is the same), e.g. --fail-on high
--rules FILE      the team's rules file; by default apikeys-review.json in the working directory or
                  the nearest parent up to the repository root
--api FILE        a key API description (connection.backend: http) whose \`risks\` rate its scopes, for
                  keys whose connection.api the preview does not show (repeat it for several); a key's
                  own connection.api is read from the working directory when it is there

pulumi-apikeys report: the credential report of the keys in stacks (pulumi-apikeys report --help).
`;

const FAIL_ON: Record<string, Exclude<Severity, "none"> | undefined> = { high: "high", medium: "medium", escalation: "medium" };

/** What a command reads and writes: the process's streams, or a test's. */
type CommandIo = Pick<ReportIo, "stdin" | "stdout" | "stderr" | "cwd" | "stdinIsTerminal">;

/** The `review` command: returns the exit code so tests can call it without a process. */
export function runReview(argv: string[], io: CommandIo): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: "string", default: "markdown" },
        "fail-on": { type: "string", multiple: true, default: [] },
        rules: { type: "string" },
        api: { type: "string", multiple: true, default: [] },
        help: { type: "boolean" },
      },
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
  let failOn: Exclude<Severity, "none"> | undefined;
  for (const item of failOnItems(values["fail-on"])) {
    const severity = FAIL_ON[item];
    if (!severity) {
      io.stderr(`review: ${failOnRefusal(item, "high, medium or escalation (same as medium)")}\n`);
      return 64;
    }
    // The least severe item decides: high,medium fails on any risk.
    if (failOn === undefined || atLeast(failOn, severity)) failOn = severity;
  }
  const fromStdin = !args[0] || args[0] === "-";
  if (fromStdin && io.stdinIsTerminal?.()) {
    io.stderr(
      "review: reads `pulumi preview --json` from a FILE or from standard input, which is a terminal here:\n" +
        "  pulumi preview --json > preview.json && pulumi-apikeys review preview.json\n",
    );
    return 64;
  }
  let changes: KeyChange[];
  try {
    const rulesFile = values.rules ?? findRulesFile(io.cwd ?? process.cwd());
    const catalogue = new RiskCatalogue(rulesFile ? loadRulesFile(rulesFile) : {});
    const text = fromStdin ? io.stdin() : readFileSync(args[0], "utf8");
    const apis = new DescribedApis(io.cwd ?? process.cwd(), values.api);
    changes = keyChanges(parsePreviewJson(text), catalogue, apis);
  } catch (error) {
    if (error instanceof PreviewParseError || error instanceof RulesFileError || error instanceof ConnectionConfigError || errorCodeOf(error) === "ENOENT") {
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

/**
 * The `pulumi-apikeys` command, as `gh` or `npm` read theirs: the command first (`review`, `report`),
 * usage when run bare at a terminal, `--version`, and a mistyped command refused by name. What it
 * accepted before still works: a file or options with no command are the review. `conformance` talks
 * to a key API, so it alone answers later (a promise of the exit code).
 */
export function runCli(argv: string[], io: ReportIo): number | Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    if (!io.stdinIsTerminal?.()) return runReview(argv, io);
    io.stdout(USAGE);
    return 0;
  }
  if (first === "--version") {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    io.stdout(USAGE);
    return 0;
  }
  if (first === "report") return runReport(rest, io);
  if (first === "conformance") return runConformanceCommand(rest, io);
  if (first === "review" || first.startsWith("-") || existsSync(first) || !looksLikeCommand(first)) return runReview(argv, io);
  io.stderr(unknownCommand(first));
  return 64;
}

if (require.main === module) {
  const code = runCli(process.argv.slice(2), {
    stdin: () => readFileSync(0, "utf8"),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stdinIsTerminal: () => process.stdin.isTTY === true,
  });
  if (typeof code === "number") process.exitCode = code;
  else
    void code.then(
      (answered) => (process.exitCode = answered),
      (error: unknown) => {
        process.stderr.write(`pulumi-apikeys: ${messageOf(error)}\n`);
        process.exitCode = 70;
      },
    );
}
