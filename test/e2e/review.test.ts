import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runReview } from "../../review/cli";
import { keyChanges } from "../../review/keyChanges";
import { parsePreviewJson } from "../../review/previewJson";
import type { EngineStack } from "../helpers/engine";
import { startServerAndStack } from "../helpers/engineFixture";
import { searchPrivilege } from "../helpers/fixtures";

jest.setTimeout(240_000);

const pipelinesEdit = { owner: "SEARCH_API", targetDomain: "PIPELINES", type: "EDIT", targetIds: ["*"] };
const impersonate = { owner: "SEARCH_API", targetDomain: "IMPERSONATE", type: "ENABLE" };
const viewAll = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW" };

/** `pulumi-apikeys review` fed the real `pulumi preview --json` of a stack with every kind of change. */
describe("review of a real preview", () => {
  let stack: EngineStack;
  let close: () => Promise<void>;
  let previewText: string;

  beforeAll(async () => {
    ({ stack, close } = await startServerAndStack({ name: "review" }));
    stack.keys = {
      storefront: { environment: "live", privileges: [searchPrivilege] },
      "search-admin": { privileges: [searchPrivilege] },
      analytics: { rotation: { trigger: "2026-11" } },
      "batch-import": { environment: "test", privileges: [searchPrivilege] },
      "old-partner": {},
      "search-page": { privileges: [searchPrivilege] },
      "support-search": { privileges: [searchPrivilege, pipelinesEdit] },
    };
    await stack.up();
    stack.keys = {
      storefront: { environment: "live", privileges: [searchPrivilege] }, // unchanged: no row
      "search-admin": { privileges: [searchPrivilege, pipelinesEdit] }, // in-place escalation
      analytics: { rotation: { trigger: "2026-12" } }, // replace on rotation
      "batch-import": { environment: "live", privileges: [searchPrivilege] }, // test key becoming live (replace)
      "ci-smoke": { privileges: [searchPrivilege] }, // create
      // old-partner removed: delete
      "search-page": { privileges: [searchPrivilege, impersonate] }, // the public search page gains impersonation
      "support-search": { privileges: [searchPrivilege, viewAll] }, // loses pipeline editing, gains view-all-content
    };
    previewText = (await stack.previewJson()).text;
  });
  afterAll(async () => close?.());

  const review = (argv: string[], cwd?: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runReview(argv, { stdin: () => previewText, stdout: (s) => out.push(s), stderr: (s) => err.push(s), cwd: cwd ?? emptyDir() });
    return { code, out: out.join(""), err: err.join("") };
  };
  /** A directory of its own repository, so no rules file of this repository is found. */
  const emptyDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "review-"));
    mkdirSync(join(dir, ".git"));
    return dir;
  };

  test("one row per changed key with its operation, privilege set difference, secret change and the catalogue's risks", () => {
    const changes = keyChanges(parsePreviewJson(previewText));
    const byName = Object.fromEntries(changes.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(["analytics", "batch-import", "ci-smoke", "old-partner", "search-admin", "search-page", "support-search"]);
    expect(byName["search-admin"]).toMatchObject({ operation: "update", privilegesAdded: [pipelinesEdit], privilegesRemoved: [], secretChanges: false });
    expect(byName["search-admin"].risks).toEqual([
      {
        severity: "medium",
        privilege: "SEARCH_API/PIPELINES/EDIT[*]",
        reason: "can change what it targets, not only use it",
        source: "pulumi-apikeys default",
      },
      {
        severity: "medium",
        privilege: "SEARCH_API/PIPELINES/EDIT[*]",
        reason: 'targets "*": every present and future target',
        source: "pulumi-apikeys default",
      },
    ]);
    expect(byName["search-page"].risks).toEqual([
      expect.objectContaining({
        severity: "high",
        privilege: "SEARCH_API/IMPERSONATE/ENABLE",
        reason: "can run queries as any user, seeing what they may see",
      }),
    ]);
    expect(byName["support-search"]).toMatchObject({
      privilegesAdded: [viewAll],
      privilegesRemoved: [pipelinesEdit],
      notes: ["reduced access: 1 privilege removed"],
    });
    expect(byName["support-search"].risks.map((r) => r.severity)).toEqual(["high"]);
    expect(byName.analytics).toMatchObject({ operation: "replace", secretChanges: true, replaceReasons: ["rotation.trigger"], risks: [] });
    expect(byName["batch-import"]).toMatchObject({
      operation: "replace",
      environment: { before: "test", after: "live" },
      risks: [{ severity: "medium", reason: "test key becomes live" }],
    });
    expect(byName["ci-smoke"]).toMatchObject({ operation: "create", privilegesAdded: [searchPrivilege], secretChanges: true, risks: [] });
    expect(byName["old-partner"]).toMatchObject({ operation: "delete", secretChanges: true, risks: [] });
  });

  test("the Markdown report gives each risk's severity and reason; --fail-on high exits 2", () => {
    const { code, out: report } = review(["review"]);
    expect(code).toBe(0);
    // Kept for the sample report in docs/review.md (test/.artifacts is ignored by git).
    writeFileSync(join(__dirname, "../.artifacts/review-report.md"), report);
    expect(report).toContain("7 keys changed, **2 with a high risk ⛔**, **2 with a medium risk ⚠️**.");
    expect(report).toContain(
      "| search-page | update in place | test | `SEARCH_API/IMPERSONATE/ENABLE` | – | unchanged | ⛔ high: grants SEARCH_API/IMPERSONATE/ENABLE — can run queries as any user, seeing what they may see |",
    );
    expect(report).toContain("| analytics | **replace** | test | – | – | **new secret** (rotation.trigger) | – |");
    expect(report).toContain("reduced access: 1 privilege removed");
    expect(report).not.toMatch(/ak_(live|test)_[0-9A-Za-z]{20}/);
    expect(review(["review", "--fail-on", "high"]).code).toBe(2);
    expect(review(["review", "--fail-on", "escalation"]).code).toBe(2);
    expect(JSON.parse(review(["review", "--format", "json"]).out)).toMatchObject({ escalations: 4, high: 2, medium: 2 });
    expect(review(["review", "--fail-on", "critical"])).toMatchObject({ code: 64, err: expect.stringContaining("--fail-on takes high, medium or escalation") });
  });

  test("--format github prints the Markdown and one annotation per risk for the checks page", () => {
    const { code, out, err } = review(["review", "--format", "github"]);
    expect(code).toBe(0);
    expect(out).toContain("### API key changes");
    const annotations = err.trim().split("\n");
    expect(annotations).toContain(
      "::error title=API key search-page%3A high risk::search-page (update) high: grants SEARCH_API/IMPERSONATE/ENABLE — can run queries as any user, seeing what they may see",
    );
    expect(annotations.filter((a) => a.startsWith("::warning "))).toHaveLength(3);
  });

  test("the team's rules file, found from the working directory, adds a risk and accepts one for a named key", () => {
    const repo = emptyDir();
    writeFileSync(
      join(repo, "apikeys-review.json"),
      JSON.stringify({
        risks: [{ privilege: "SEARCH_API/EXECUTE_QUERY/*", severity: "medium", reason: "every new consumer of search is reviewed by the search team" }],
        accept: [
          { keys: ["search-page"], privilege: "SEARCH_API/IMPERSONATE/*", reason: "the page shows each signed-in user their own results (ticket SEC-123)" },
        ],
      }),
    );
    mkdirSync(join(repo, "infra"));
    const { code, out } = review(["review", "--fail-on", "high"], join(repo, "infra"));
    expect(out).toContain(
      "| search-page | update in place | test | `SEARCH_API/IMPERSONATE/ENABLE` | – | unchanged | SEARCH_API/IMPERSONATE/ENABLE accepted: the page shows each signed-in user their own results (ticket SEC-123) |",
    );
    expect(out).toMatch(
      /\| ci-smoke \| create .*⚠️ medium: grants SEARCH_API\/EXECUTE_QUERY\/ENABLE — every new consumer of search is reviewed by the search team \|/,
    );
    expect(code).toBe(2); // support-search still gains view-all-content
  });

  test("a bad rules file stops the review naming the file and the field", () => {
    const file = join(emptyDir(), "rules.json");
    writeFileSync(file, JSON.stringify({ risks: [{ privilege: "SEARCH_API/IMPERSONATE/*", severity: "critical", reason: "x".repeat(10) }] }));
    expect(review(["review", "--rules", file])).toMatchObject({
      code: 66,
      err: `review: ${file}: risks[0].severity: must be "high", "medium" or "none" (none silences the entry)\n`,
    });
  });

  test("input that is not preview JSON is refused with what was expected", () => {
    const errors: string[] = [];
    expect(runReview(["review"], { stdin: () => "Previewing update (dev):", stdout: () => undefined, stderr: (s) => errors.push(s) })).toBe(66);
    expect(errors.join("")).toBe("review: the input is not JSON: pass the output of `pulumi preview --json`\n");
  });
});
