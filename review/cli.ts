#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { keyChanges } from "./keyChanges";
import { parsePreviewJson, PreviewParseError } from "./previewJson";
import { jsonReport, markdownReport } from "./report";

const usage = `pulumi-apikeys review [FILE] [--format markdown|json] [--fail-on escalation]

Reads \`pulumi preview --json\` (from FILE, or standard input) and prints which API keys change:
operation, privileges added and removed, environment, whether the secret changes, and escalations.
--fail-on escalation exits with 2 when any key gains EDIT/CREATE/DELETE/ADMINISTRATE, a wildcard
target, or goes from test to live.
`;

/** The `review` command: returns the exit code so tests can call it without a process. */
export function runReview(argv: string[], io: { stdin: () => string; stdout: (s: string) => void; stderr: (s: string) => void }): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { format: { type: "string", default: "markdown" }, "fail-on": { type: "string" }, help: { type: "boolean" } } });
  } catch (error) {
    io.stderr(`review: ${(error as Error).message}\n${usage}`);
    return 64;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const args = positionals[0] === "review" ? positionals.slice(1) : positionals;
  if (values.format !== "markdown" && values.format !== "json") {
    io.stderr(`review: --format must be markdown or json, got "${values.format}"\n`);
    return 64;
  }
  if (values["fail-on"] !== undefined && values["fail-on"] !== "escalation") {
    io.stderr(`review: --fail-on takes "escalation", got "${values["fail-on"]}"\n`);
    return 64;
  }
  let changes;
  try {
    const text = args[0] && args[0] !== "-" ? readFileSync(args[0], "utf8") : io.stdin();
    changes = keyChanges(parsePreviewJson(text));
  } catch (error) {
    if (error instanceof PreviewParseError || (error as NodeJS.ErrnoException).code === "ENOENT") {
      io.stderr(`review: ${(error as Error).message}\n`);
      return 66;
    }
    throw error;
  }
  io.stdout(values.format === "json" ? jsonReport(changes) : markdownReport(changes));
  return values["fail-on"] === "escalation" && changes.some((c) => c.risks.length > 0) ? 2 : 0;
}

if (require.main === module) {
  process.exitCode = runReview(process.argv.slice(2), {
    stdin: () => readFileSync(0, "utf8"),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
}
