import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../review/cli";
import { runReport } from "../../../review/credentials/cli";
import { apiKey, AS_OF, daysBefore, exportText, PLAINTEXT, SIG } from "../exportFixture";

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
  const workflow = yaml.load(readFileSync(join(__dirname, "..", "..", "..", "examples", "gitops", "api-keys-credential-report.yml"), "utf8")) as {
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
