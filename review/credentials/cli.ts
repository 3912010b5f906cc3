import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { errorCodeOf, isOneOf, messageOf } from "../../shared/caught";
import {
  findRulesFile,
  loadRulesFile,
  reportThresholdsFileSchema,
  reportThresholdsSchema,
  RiskCatalogue,
  RulesFileError,
  type ReportThresholds,
} from "../../shared/privilegeRisks";
import { FINDING_KINDS, FINDING_SEVERITIES } from "./findings";
import { csvCredentialReport } from "./format/csv";
import { githubCredentialAnnotations } from "./format/github";
import { jsonCredentialReport } from "./format/json";
import { markdownCredentialReport } from "./format/markdown";
import { credentialReport, failsOn, type CredentialReport, type FailOn } from "./report";
import { exportNamedStack, parseStackExport, StackExportError, type ExportSource } from "./stackExport";
import { failOnItems, failOnRefusal } from "../failOn";
import { DescribedApis } from "../describedApis";

const REPORT_USAGE = `pulumi-apikeys report [FILE...] [--stack NAME]... [--format markdown|csv|json|github]
       [--unused-days N] [--max-secret-age N] [--expiring-days N] [--fail-on LIST] [--rules FILE] [--as-of DATE]

A credential report of the API keys in one or more stacks, from \`pulumi stack export\` (FILE, "-" for
standard input) or from \`pulumi stack export --stack NAME\`, run for you. Secrets are never decrypted
or printed. Run \`pulumi refresh\` first: last use is what the key API reported at the last refresh.

One row per key: stack, key, backend, organization, environment, owner, privileges with their risk,
age of the current secret, rotation policy, expiry, last use, status, and findings:
  unused-high-risk (high)        a high-risk privilege on an unused or never used key
  unused, never-used (medium)    not used for --unused-days (default 90), or never in that long
  stale-secret (medium)          secret older than rotation.rotateAfterDays, or --max-secret-age (90)
  no-rotation-no-expiry (medium) a live key with neither
  expiring (low)                 expires within --expiring-days (30)
  unreadable (as what it hides)  a field the report cannot read (a secret, a date that is not one)

--format github   Markdown on stdout, one annotation per high or medium finding on stderr
--fail-on LIST    exit 2 on a finding of these severities (high, medium, low: that or worse) or
                  kinds, comma-separated (or the option repeated), e.g. --fail-on high or
                  --fail-on unused,stale-secret
--rules FILE      the rules file (apikeys-review.json, found as the review finds it): its risks and
                  accepted privileges, and its "report" thresholds (unusedDays, maxSecretAgeDays,
                  expiringDays), which the options above override
--as-of DATE      report as of this date (ISO 8601) instead of now, e.g. a quarter's last day
`;

const FORMATS = ["markdown", "csv", "json", "github"] as const;
type Format = (typeof FORMATS)[number];

export interface ReportIo {
  readonly stdin: () => string;
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd?: string;
  /** Runs `pulumi stack export --stack <name>` (tests and other runners can replace it). */
  readonly exportStack?: (name: string) => string;
  readonly now?: () => Date;
  /** Whether standard input is a terminal: then nobody is piping anything in, and reading it would wait silently. */
  readonly stdinIsTerminal?: () => boolean;
}

/** A wrong option: the message says which and what it takes. */
class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function parseFailOn(values: readonly string[]): FailOn[] {
  return failOnItems(values).map((item) => {
    if (isOneOf(FINDING_SEVERITIES, item)) return { severity: item };
    if (isOneOf(FINDING_KINDS, item)) return { kind: item };
    throw new UsageError(failOnRefusal(item, `${FINDING_SEVERITIES.join(", ")} or a finding kind (${FINDING_KINDS.join(", ")})`));
  });
}

/** Thresholds: the defaults, then the rules file's `report` section, then the command line's. */
function thresholdsFrom(
  fileValues: Partial<ReportThresholds> | undefined,
  flags: { readonly [F in "unused-days" | "max-secret-age" | "expiring-days"]?: string },
): ReportThresholds {
  const fromFlags: Record<string, number> = {};
  for (const [flag, field] of [
    ["unused-days", "unusedDays"],
    ["max-secret-age", "maxSecretAgeDays"],
    ["expiring-days", "expiringDays"],
  ] as const) {
    const text = flags[flag];
    if (text === undefined) continue;
    // The field's own schema without its .optional(): a flag given always has a value.
    const parsed = reportThresholdsFileSchema()
      .shape[field].unwrap()
      .safeParse(/^\d+$/.test(text) ? Number(text) : text);
    if (!parsed.success) throw new UsageError(`--${flag}: ${parsed.error.issues[0].message}, got "${text}"`);
    fromFlags[field] = parsed.data;
  }
  return reportThresholdsSchema().parse({ ...fileValues, ...fromFlags });
}

function formatReport(report: CredentialReport, format: Format): string {
  if (format === "csv") return csvCredentialReport(report);
  if (format === "json") return jsonCredentialReport(report);
  return markdownCredentialReport(report);
}

/** The `report` command: returns the exit code (0, 2 when --fail-on matches, 64 usage, 66 unreadable input). */
export function runReport(argv: string[], io: ReportIo): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        stack: { type: "string", multiple: true, default: [] },
        format: { type: "string", default: "markdown" },
        "unused-days": { type: "string" },
        "max-secret-age": { type: "string" },
        "expiring-days": { type: "string" },
        "fail-on": { type: "string", multiple: true, default: [] },
        rules: { type: "string" },
        "as-of": { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    io.stderr(`report: ${messageOf(error)}\n${REPORT_USAGE}`);
    return 64;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(REPORT_USAGE);
    return 0;
  }
  const files = positionals[0] === "report" ? positionals.slice(1) : positionals;
  let format: Format;
  let failOn: FailOn[];
  let asOf: Date;
  try {
    if (!isOneOf(FORMATS, values.format)) throw new UsageError(`--format must be ${FORMATS.join(", ")}, got "${values.format}"`);
    format = values.format;
    failOn = parseFailOn(values["fail-on"]);
    asOf = values["as-of"] === undefined ? (io.now ?? (() => new Date()))() : new Date(values["as-of"]);
    if (Number.isNaN(asOf.getTime())) throw new UsageError(`--as-of must be an ISO-8601 date such as 2026-12-31, got "${values["as-of"]}"`);
    if (files.length === 0 && values.stack.length === 0) throw new UsageError("give `pulumi stack export` files, or stacks with --stack NAME");
    if (files.includes("-") && io.stdinIsTerminal?.())
      throw new UsageError("- reads a stack export from standard input, which is a terminal here: pulumi stack export | pulumi-apikeys report -");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`report: ${error.message}\n`);
    return 64;
  }

  let report: CredentialReport;
  try {
    const rulesFile = values.rules ?? findRulesFile(io.cwd ?? process.cwd());
    const rules = rulesFile ? loadRulesFile(rulesFile) : undefined;
    const thresholds = thresholdsFrom(rules?.report, values);
    const exportStack = io.exportStack ?? ((name: string) => exportNamedStack(name, { cwd: io.cwd }));
    const exports: ExportSource[] = [
      ...files.map((file) => parseStackExport(file === "-" ? io.stdin() : readExport(file), file === "-" ? "standard input" : file)),
      ...values.stack.map((name) => parseStackExport(exportStack(name), name)),
    ];
    for (const e of exports.filter((x) => x.holdsPlaintext))
      io.stderr(`report: ${e.source} holds decrypted secrets (exported with --show-secrets); they are not printed, but delete that file\n`);
    report = credentialReport(exports, new RiskCatalogue(rules ?? {}), thresholds, asOf, new DescribedApis(io.cwd ?? process.cwd()));
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`report: ${error.message}\n`);
      return 64;
    }
    if (error instanceof StackExportError || error instanceof RulesFileError) {
      io.stderr(`report: ${error.message}\n`);
      return 66;
    }
    throw error;
  }
  io.stdout(formatReport(report, format));
  if (format === "github") io.stderr(githubCredentialAnnotations(report));
  return failsOn(report, failOn) ? 2 : 0;
}

function readExport(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new StackExportError(file, `cannot be read (${errorCodeOf(error) ?? messageOf(error)})`);
  }
}
