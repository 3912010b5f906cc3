import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RiskCatalogue, reportThresholdsSchema } from "../../shared/privilegeRisks";
import { runCli } from "../../review/cli";
import { runReport } from "../../review/credentials/cli";
import { findingsFor } from "../../review/credentials/findings";
import { csvCredentialReport, csvField } from "../../review/credentials/format/csv";
import { githubCredentialAnnotations } from "../../review/credentials/format/github";
import { jsonCredentialReport } from "../../review/credentials/format/json";
import { markdownCredentialReport } from "../../review/credentials/format/markdown";
import { keyRecordsOf, type KeyRecord } from "../../review/credentials/keyRecords";
import { credentialReport } from "../../review/credentials/report";
import { SECRET_PLACEHOLDER } from "../../review/credentials/secrets";
import { parseStackExport, StackExportError } from "../../review/credentials/stackExport";
import { apiKey, AS_OF, CIPHERTEXT, daysBefore, exportText, impersonate, PLAINTEXT, search, SIG } from "./exportFixture";

const thresholds = reportThresholdsSchema().parse({});
const recordsOf = (resources: unknown[]) => keyRecordsOf(parseStackExport(exportText(resources), "payments.json"), new RiskCatalogue(), AS_OF);
const recordOf = (outputs: Record<string, unknown>, options?: Parameters<typeof apiKey>[2]) => recordsOf([apiKey("k", outputs, options)])[0];
const kinds = (record: KeyRecord) => findingsFor(record, thresholds).map((f) => f.kind);

describe("reading `pulumi stack export`", () => {
  test("every secret becomes a placeholder before anything reads the outputs; a --show-secrets export is noticed", () => {
    const parsed = parseStackExport(exportText([apiKey("k", {})]), "f.json");
    expect(JSON.stringify(parsed.export)).not.toContain(CIPHERTEXT);
    expect(parsed.export.deployment.resources![1].outputs!.secret).toBe(SECRET_PLACEHOLDER);
    expect(parsed.holdsPlaintext).toBe(false);
    const shown = parseStackExport(exportText([apiKey("k", { secret: { ...SIG, plaintext: JSON.stringify(PLAINTEXT) } })]), "shown.json");
    expect(shown.holdsPlaintext).toBe(true);
    expect(JSON.stringify(shown.export)).not.toContain(PLAINTEXT);
  });

  test("text that is not an export is refused, naming the source and what is wrong", () => {
    expect(() => parseStackExport("not json", "a.json")).toThrow(new StackExportError("a.json", "is not JSON: pass the output of `pulumi stack export`"));
    expect(() => parseStackExport(JSON.stringify({ deployment: { resources: [{ urn: 1 }] } }), "b.json")).toThrow(/^b\.json: .*deployment\.resources\.0\.urn/);
    expect(recordsOf([])).toEqual([]);
    expect(keyRecordsOf(parseStackExport(JSON.stringify({ version: 3, deployment: {} }), "empty.json"), new RiskCatalogue(), AS_OF)).toEqual([]);
  });

  test("one record per ApiKey, dynamic and native, with stack, owner, privileges and their catalogue risk, ages and last use", () => {
    const records = recordsOf([
      apiKey("search", { privileges: [search, impersonate] }),
      apiKey("native", { lastUsedAt: undefined, backend: "coveo", environment: "test", metadata: {} }, { type: "apikeys:index:ApiKey" }),
      { urn: "urn:pulumi:payments::shop::random:index/randomPet:RandomPet::pet", type: "random:index/randomPet:RandomPet", outputs: { id: "x" } },
    ]);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      source: "payments.json",
      stack: "shop/payments",
      name: "search",
      provider: "dynamic",
      keyId: "key_search",
      backend: "reference",
      organizationId: "org_acme",
      environment: "live",
      owner: "payments-team",
      privileges: [
        { privilege: "SEARCH_API/EXECUTE_QUERY/ENABLE", severity: "none", reasons: [] },
        { privilege: "SEARCH_API/IMPERSONATE/ENABLE", severity: "high", reasons: [expect.stringContaining("as any user")] },
      ],
      secretAgeDays: 10,
      rotation: { rotateAfterDays: 30 },
      lastUse: { reported: true, at: daysBefore(1), daysUnused: 1 },
      status: "active",
    });
    // Coveo keys have no environment; never used: days since creation.
    expect(records[1]).toMatchObject({ provider: "native", backend: "coveo", lastUse: { reported: true, daysUnused: 200 } });
    expect(records[1]).not.toHaveProperty("environment");
    expect(records[1]).not.toHaveProperty("owner");
  });

  test("a use or a secret after the report's date (--as-of a quarter's end) counts as that day", () => {
    const later = new Date(AS_OF.getTime() + 3_600_000).toISOString();
    expect(recordOf({ lastUsedAt: later, rotatedAt: later })).toMatchObject({ lastUse: { reported: true, at: later, daysUnused: 0 }, secretAgeDays: 0 });
    const report = credentialReport([parseStackExport(exportText([apiKey("k", { lastUsedAt: later })]), "f.json")], new RiskCatalogue(), thresholds, AS_OF);
    expect(markdownCredentialReport(report)).toContain("| 2026-12-31 (today) |");
  });

  test("a backend that reports no last use (Didomi) is unknown, not never used", () => {
    expect(recordOf({ backend: "didomi", lastUsedAt: undefined }).lastUse).toEqual({ reported: false });
    expect(kinds(recordOf({ backend: "didomi", lastUsedAt: undefined, createdAt: daysBefore(400) }))).not.toContain("never-used");
  });

  test("status: pending deletion, revoked as leaked, expired, exposed, disabled, secret pending, active", () => {
    expect(recordOf({}, { delete: true }).status).toBe("pending deletion");
    expect(recordOf({ revokedReason: "leaked" }).status).toBe("revoked (leaked)");
    expect(recordOf({ expiresAt: daysBefore(1) }).status).toBe("expired");
    expect(recordOf({ exposure: { severity: "HIGH", reasons: [] } }).status).toBe("exposed");
    expect(recordOf({ enabled: false }).status).toBe("disabled");
    expect(recordOf({ secretPending: true }).status).toBe("secret pending");
    expect(recordOf({}).status).toBe("active");
  });

  test("a field the program made secret, or of another shape, is listed as unreadable instead of hiding the key", () => {
    const record = recordOf({ description: { ...SIG, ciphertext: CIPHERTEXT }, privileges: { ...SIG, ciphertext: CIPHERTEXT }, metadata: "odd" });
    expect(record).toMatchObject({ name: "k", privileges: [] });
    expect(record.unreadable).toEqual([
      { field: "description", why: "secret" },
      { field: "privileges", why: "secret" },
      { field: "metadata", why: "unexpected shape" },
    ]);
    expect(record).not.toHaveProperty("owner");
    expect(record).not.toHaveProperty("description");
  });
});

describe("findings (pure)", () => {
  test("a used key with a fresh secret and a rotation policy has none", () => {
    expect(kinds(recordOf({}))).toEqual([]);
  });

  test("unused past the threshold, and never used that long after creation; younger never-used keys are not flagged", () => {
    expect(kinds(recordOf({ lastUsedAt: daysBefore(90) }))).toEqual(["unused"]);
    expect(kinds(recordOf({ lastUsedAt: daysBefore(89) }))).toEqual([]);
    expect(kinds(recordOf({ lastUsedAt: undefined, createdAt: daysBefore(120) }))).toEqual(["never-used"]);
    expect(kinds(recordOf({ lastUsedAt: undefined, createdAt: daysBefore(5), rotatedAt: daysBefore(5) }))).toEqual([]);
    expect(findingsFor(recordOf({ lastUsedAt: daysBefore(91) }), { ...thresholds, unusedDays: 120 })).toEqual([]);
  });

  test("a high-risk privilege on an unused key is high, beside the unused finding", () => {
    const findings = findingsFor(recordOf({ privileges: [impersonate], lastUsedAt: undefined, createdAt: daysBefore(100) }), thresholds);
    expect(findings.map((f) => [f.kind, f.severity])).toEqual([
      ["unused-high-risk", "high"],
      ["never-used", "medium"],
    ]);
    expect(findings[0].message).toContain("SEARCH_API/IMPERSONATE/ENABLE");
    // Used: the privilege is the review's and the policy pack's business, not an access-review finding.
    expect(kinds(recordOf({ privileges: [impersonate] }))).toEqual([]);
  });

  test("a secret older than its rotation policy, or than the maximum age without one", () => {
    expect(kinds(recordOf({ rotatedAt: daysBefore(31) }))).toEqual(["stale-secret"]);
    expect(kinds(recordOf({ rotatedAt: daysBefore(30) }))).toEqual([]);
    const noPolicy = { rotation: undefined, expiresAt: new Date(AS_OF.getTime() + 200 * 86_400_000).toISOString() };
    expect(kinds(recordOf({ ...noPolicy, rotatedAt: daysBefore(91) }))).toEqual(["stale-secret"]);
    expect(kinds(recordOf({ ...noPolicy, rotatedAt: daysBefore(60) }))).toEqual([]);
    expect(findingsFor(recordOf({ ...noPolicy, rotatedAt: daysBefore(60) }), { ...thresholds, maxSecretAgeDays: 45 })[0].message).toContain(
      "older than 45 days with no rotation policy",
    );
  });

  test("live keys (and keys of backends without environments) with no rotation and no expiry; test keys are exempt", () => {
    expect(kinds(recordOf({ rotation: undefined, rotatedAt: daysBefore(3) }))).toEqual(["no-rotation-no-expiry"]);
    expect(kinds(recordOf({ rotation: undefined, rotatedAt: daysBefore(3), backend: "coveo", environment: undefined }))).toEqual(["no-rotation-no-expiry"]);
    expect(kinds(recordOf({ rotation: undefined, rotatedAt: daysBefore(3), environment: "test" }))).toEqual([]);
    expect(kinds(recordOf({ rotation: undefined, rotatedAt: daysBefore(3), lifetime: "P1Y", expiresAt: daysBefore(-200) }))).toEqual([]);
  });

  test("expiring within the window is low; an expired, revoked or replaced key gets no findings (its status says it)", () => {
    expect(findingsFor(recordOf({ expiresAt: daysBefore(-10) }), thresholds)).toEqual([
      { kind: "expiring", severity: "low", message: "expires in 10 days: renew it or let it end on purpose" },
    ]);
    expect(kinds(recordOf({ expiresAt: daysBefore(-40) }))).toEqual([]);
    expect(findingsFor(recordOf({ expiresAt: daysBefore(-10), rotation: { renewBeforeExpiry: "P14D" }, lifetime: "P30D" }), thresholds)[0].message).toContain(
      "the next `pulumi up` renews it",
    );
    const old = { lastUsedAt: undefined, createdAt: daysBefore(400), rotatedAt: daysBefore(400), rotation: undefined, privileges: [impersonate] };
    expect(kinds(recordOf({ ...old, expiresAt: daysBefore(1) }))).toEqual([]);
    expect(kinds(recordOf({ ...old, revokedReason: "leaked" }))).toEqual([]);
    expect(kinds(recordOf(old, { delete: true }))).toEqual([]);
  });
});

describe("formats", () => {
  const resources = [
    apiKey("checkout", {}),
    apiKey("idle-admin", { privileges: [impersonate], lastUsedAt: undefined, createdAt: daysBefore(120), rotatedAt: daysBefore(120), rotation: undefined }),
    apiKey('partner, "beta"', { description: '=HYPERLINK("http://evil")', metadata: {}, backend: "didomi", lastUsedAt: undefined }),
  ];
  const report = credentialReport([parseStackExport(exportText(resources), "payments.json")], new RiskCatalogue(), thresholds, AS_OF);

  test("Markdown: a summary and one row per key with its findings", () => {
    const markdown = markdownCredentialReport(report);
    expect(markdown).toContain("As of 2026-12-31: 3 keys in 1 stack; findings: **1 high** ⛔, **3 medium** ⚠️ on 1 key.");
    const rows = markdown.split("\n").filter((l) => l.startsWith("| shop/payments"));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe(
      "| shop/payments | checkout | reference | org_acme | live | payments-team | `SEARCH_API/EXECUTE_QUERY/ENABLE` | 10 days | every 30 days | never | 2026-12-30 (1 day ago) | active | – |",
    );
    expect(rows[1]).toContain(
      "| `SEARCH_API/IMPERSONATE/ENABLE` ⛔ high | 120 days | none | never | never (120 days since creation) | active | ⛔ holds high-risk",
    );
    expect(rows[2]).toContain("not reported by didomi");
    expect(markdownCredentialReport({ ...report, keys: [] })).toBe("### API key credential report\n\nNo API keys in payments.json.\n");
  });

  test("CSV: one header row and one row per key, quoted and safe to open in a spreadsheet", () => {
    const csv = csvCredentialReport(report);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      "stack,key,key_id,display_name,backend,organization,environment,owner,description,privileges,highest_risk,created_at,secret_issued_at,secret_age_days,rotation_policy,expires_at,last_used_at,days_unused,status,findings,unreadable_fields",
    );
    expect(lines[2]).toContain(",high,");
    expect(lines[2]).toContain(`,,120,active,"unused-high-risk; never-used; stale-secret; no-rotation-no-expiry",`);
    expect(lines[3]).toContain(`"partner, ""beta"""`);
    expect(lines[3]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[3]).toContain(",N/A,N/A,");
    expect([csvField("-1+2"), csvField("@x"), csvField(-1), csvField(undefined), csvField("a\nb")]).toEqual([`"'-1+2"`, `"'@x"`, "-1", "", '"a\nb"']);
  });

  test("JSON: every key with its findings, the thresholds and the counts", () => {
    const json = JSON.parse(jsonCredentialReport(report));
    expect(json).toMatchObject({
      asOf: AS_OF.toISOString(),
      thresholds: { unusedDays: 90, maxSecretAgeDays: 90, expiringDays: 30 },
      sources: ["payments.json"],
    });
    expect(json.findings).toEqual({ high: 1, medium: 3, low: 0, keysWithFindings: 1 });
    expect(json.keys.map((k: { name: string }) => k.name)).toEqual(["checkout", "idle-admin", 'partner, "beta"']);
  });

  test("GitHub: an annotation per high or medium finding", () => {
    const annotations = githubCredentialAnnotations(report).trimEnd().split("\n");
    expect(annotations).toHaveLength(4);
    expect(annotations[0]).toMatch(/^::error title=API key shop\/payments idle-admin%3A unused-high-risk::idle-admin: holds high-risk privilege/);
  });

  test("no format carries a secret, a ciphertext or the provider's code", () => {
    for (const text of [markdownCredentialReport(report), csvCredentialReport(report), jsonCredentialReport(report), githubCredentialAnnotations(report)]) {
      expect(text).not.toContain(CIPHERTEXT);
      expect(text).not.toContain("ciphertext");
      expect(text).not.toContain("pulumi-apikeys/provider/hooks");
      expect(text).not.toContain("ak_live_AbCd");
    }
  });
});

describe("pulumi-apikeys report", () => {
  const dir = mkdtempSync(join(tmpdir(), "apikeys-report-"));
  const payments = join(dir, "payments.json");
  const search = join(dir, "search.json");
  writeFileSync(payments, exportText([apiKey("checkout", {}), apiKey("idle", { lastUsedAt: daysBefore(100) })]));
  writeFileSync(search, exportText([apiKey("storefront", { rotatedAt: daysBefore(45) }, { stack: "search" })], "search"));

  function run(argv: string[], extra: Partial<Parameters<typeof runReport>[1]> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const code = runCli(["report", ...argv], {
      stdin: () => "",
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
      cwd: dir,
      now: () => AS_OF,
      ...extra,
    });
    return { code, out: out.join(""), err: err.join("") };
  }

  test("over two exports, one file and one named stack (exported with `pulumi stack export --stack`, never --show-secrets)", () => {
    const asked: string[] = [];
    const result = run([payments, "--stack", "acme/shop/search", "--format", "csv"], {
      exportStack: (name) => (asked.push(name), exportText([apiKey("storefront", { rotatedAt: daysBefore(45) }, { stack: "search" })], "search")),
    });
    expect(asked).toEqual(["acme/shop/search"]);
    expect(result.code).toBe(0);
    const rows = result.out.trimEnd().split("\r\n");
    expect(rows.map((r) => r.split(",").slice(0, 2).join(","))).toEqual([
      "stack,key",
      "shop/payments,checkout",
      "shop/payments,idle",
      "shop/search,storefront",
    ]);
    expect(rows[2]).toMatch(/,unused,$/);
    expect(rows[3]).toMatch(/,stale-secret,$/);
  });

  test("--fail-on takes severities and finding kinds; exit 2 when one matches", () => {
    expect(run([payments, search, "--fail-on", "high"]).code).toBe(0);
    expect(run([payments, search, "--fail-on", "medium"]).code).toBe(2);
    expect(run([payments, "--fail-on", "stale-secret"]).code).toBe(0);
    expect(run([payments, search, "--fail-on", "expiring,stale-secret"]).code).toBe(2);
    expect(run([payments, "--fail-on", "unused"]).code).toBe(2);
  });

  test("thresholds: defaults, then the rules file's report section, then the command line", () => {
    const rules = join(dir, "team-rules.json");
    writeFileSync(rules, JSON.stringify({ report: { unusedDays: 120, maxSecretAgeDays: 40 } }));
    const fromFile = JSON.parse(run([payments, "--rules", rules, "--format", "json"]).out);
    expect(fromFile.thresholds).toEqual({ unusedDays: 120, maxSecretAgeDays: 40, expiringDays: 30 });
    expect(fromFile.keys.find((k: { name: string }) => k.name === "idle").findings).toEqual([]);
    const overridden = JSON.parse(run([payments, "--rules", rules, "--unused-days", "60", "--format", "json"]).out);
    expect(overridden.thresholds.unusedDays).toBe(60);
    expect(run([payments, search, "--rules", rules, "--as-of", "2026-06-30", "--format", "json"]).code).toBe(0);
    expect(JSON.parse(run([payments, "--as-of", "2026-06-30", "--format", "json"]).out).asOf).toBe("2026-06-30T00:00:00.000Z");

    writeFileSync(rules, JSON.stringify({ report: { unusedDays: 0 } }));
    expect(run([payments, "--rules", rules])).toMatchObject({ code: 66, err: expect.stringContaining("report.unusedDays: must be at least 1 day") });
  });

  test("--format github prints Markdown and annotates; a --show-secrets export is warned about and nothing of it printed", () => {
    const shown = join(dir, "shown.json");
    writeFileSync(shown, exportText([apiKey("checkout", { secret: { ...SIG, plaintext: JSON.stringify(PLAINTEXT) } })]));
    const result = run([shown, "--format", "github"]);
    expect(result.out).toContain("### API key credential report");
    expect(result.err).toContain("shown.json holds decrypted secrets (exported with --show-secrets); they are not printed, but delete that file");
    expect(result.out + result.err).not.toContain(PLAINTEXT);
  });

  test("wrong usage exits 64, an unreadable input 66, each with what to do", () => {
    expect(run([])).toMatchObject({ code: 64, err: expect.stringContaining("give `pulumi stack export` files, or stacks with --stack NAME") });
    expect(run([payments, "--format", "xml"])).toMatchObject({ code: 64, err: expect.stringContaining("--format must be markdown, csv, json, github") });
    expect(run([payments, "--fail-on", "sometimes"])).toMatchObject({ code: 64, err: expect.stringContaining('got "sometimes"') });
    expect(run([payments, "--unused-days", "soon"])).toMatchObject({ code: 64, err: expect.stringContaining("--unused-days") });
    expect(run([payments, "--as-of", "yesterday"]).code).toBe(64);
    expect(run([join(dir, "missing.json")])).toMatchObject({ code: 66, err: expect.stringContaining("missing.json: cannot be read (ENOENT)") });
    expect(run(["--stack", "nope"], { exportStack: () => "{}" })).toMatchObject({
      code: 66,
      err: expect.stringContaining("nope: is not `pulumi stack export` output"),
    });
    expect(run(["--help"]).out).toContain("pulumi-apikeys report [FILE...]");
  });

  test("a stack that cannot be exported names the stack and what pulumi said", () => {
    const result = run(["--stack", "acme/shop/missing"], { exportStack: undefined, cwd: dir });
    expect(result.code).toBe(66);
    expect(result.err).toMatch(/^report: acme\/shop\/missing: (cannot run `pulumi`|`pulumi stack export --stack acme\/shop\/missing` failed)/);
  });
});

describe("examples/gitops: the scheduled credential report workflow", () => {
  const yaml = require("js-yaml") as { load(text: string): unknown };
  const workflow = yaml.load(readFileSync(join(__dirname, "..", "..", "examples", "gitops", "api-keys-credential-report.yml"), "utf8")) as {
    on: Record<string, unknown>;
    jobs: { report: { steps: Array<{ name?: string; run?: string; uses?: string }> } };
  };
  const runs = workflow.jobs.report.steps.map((s) => s.run ?? "").join("\n");

  test("runs on a schedule: refresh each stack, then the report, its Markdown into the job summary", () => {
    expect(Object.keys(workflow.on)).toEqual(["schedule", "workflow_dispatch"]);
    expect(runs.indexOf("pulumi refresh")).toBeLessThan(runs.indexOf("pulumi-apikeys report"));
    expect(runs).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(runs).not.toContain("--show-secrets");
  });

  test("each report command it runs takes those options, and fails (exit 2) only on the findings chosen", () => {
    const commands = runs
      .split("\n")
      .filter((line) => line.includes("npx pulumi-apikeys report"))
      .map((line) =>
        line
          .slice(line.indexOf("report") + "report".length, line.indexOf(">"))
          .trim()
          .split(/\s+/),
      );
    expect(commands).toHaveLength(2);
    const idle = exportText([apiKey("idle", { lastUsedAt: daysBefore(100) }), apiKey("old", { rotatedAt: daysBefore(40) })]);
    const codes = commands.map((words) => {
      const argv = words.flatMap((w) => (w === '"${args[@]}"' ? ["--stack", "acme/shop/prod", "--as-of", AS_OF.toISOString()] : [w]));
      return runReport(argv, { stdin: () => "", stdout: () => undefined, stderr: () => undefined, exportStack: () => idle });
    });
    // The CSV always succeeds; the github run fails on the stale secret, not on the unused key alone.
    expect(codes).toEqual([0, 2]);
    const unusedOnly = exportText([apiKey("idle", { lastUsedAt: daysBefore(100) })]);
    const argv = commands[1].flatMap((w) => (w === '"${args[@]}"' ? ["--stack", "s", "--as-of", AS_OF.toISOString()] : [w]));
    expect(runReport(argv, { stdin: () => "", stdout: () => undefined, stderr: () => undefined, exportStack: () => unusedOnly })).toBe(0);
  });
});
