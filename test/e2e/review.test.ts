import { runReview } from "../../review/cli";
import { keyChanges } from "../../review/keyChanges";
import { parsePreviewJson } from "../../review/previewJson";
import { EngineStack } from "../helpers/engine";
import { startTestServer, type TestServer } from "../helpers/testServer";

jest.setTimeout(240_000);

const search = { owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" };
const pipelinesEdit = { owner: "SEARCH_API", targetDomain: "PIPELINES", type: "EDIT", targetIds: ["*"] };

/** `pulumi-apikeys review` fed the real `pulumi preview --json` of a stack with every kind of change. */
describe("review of a real preview", () => {
  let server: TestServer;
  let stack: EngineStack;
  let previewText: string;

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    const org = await server.createOrganization();
    stack = await EngineStack.create({ name: "review", endpoint: server.url, organizationId: org.id, token: org.token });
    stack.keys = {
      storefront: { environment: "live", privileges: [search] },
      "search-admin": { privileges: [search] },
      analytics: { rotation: { trigger: "2026-11" } },
      "batch-import": { environment: "test", privileges: [search] },
      "old-partner": {},
    };
    await stack.up();
    stack.keys = {
      storefront: { environment: "live", privileges: [search] }, // unchanged: no row
      "search-admin": { privileges: [search, pipelinesEdit] }, // in-place escalation
      analytics: { rotation: { trigger: "2026-12" } }, // replace on rotation
      "batch-import": { environment: "live", privileges: [search] }, // test key becoming live (replace)
      "ci-smoke": { privileges: [search] }, // create
      // old-partner removed: delete
    };
    previewText = (await stack.previewJson()).text;
  });
  afterAll(async () => {
    await stack.dispose();
    await server.close();
  });

  test("one row per changed key with its operation, privilege set difference and secret change", () => {
    const changes = keyChanges(parsePreviewJson(previewText));
    const byName = Object.fromEntries(changes.map((c) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(["analytics", "batch-import", "ci-smoke", "old-partner", "search-admin"]);
    expect(byName["search-admin"]).toMatchObject({ operation: "update", privilegesAdded: [pipelinesEdit], privilegesRemoved: [], secretChanges: false });
    expect(byName["search-admin"].risks).toEqual(["grants EDIT (SEARCH_API/PIPELINES/EDIT[*])", "wildcard target (SEARCH_API/PIPELINES/EDIT[*])"]);
    expect(byName.analytics).toMatchObject({ operation: "replace", secretChanges: true, replaceReasons: ["rotation.trigger"], risks: [] });
    expect(byName["batch-import"]).toMatchObject({ operation: "replace", environment: { before: "test", after: "live" }, risks: ["test key becomes live"] });
    expect(byName["ci-smoke"]).toMatchObject({ operation: "create", privilegesAdded: [search], secretChanges: true, risks: [] });
    expect(byName["old-partner"]).toMatchObject({ operation: "delete", secretChanges: true, risks: [] });
  });

  test("the Markdown report marks escalations, and --fail-on escalation exits non-zero", () => {
    const out: string[] = [];
    const io = { stdin: () => previewText, stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s) };
    expect(runReview(["review"], io)).toBe(0);
    const report = out.join("");
    // Kept for the README's sample (test/.artifacts is ignored by git).
    require("node:fs").writeFileSync(require("node:path").join(__dirname, "../.artifacts/review-report.md"), report);
    expect(report).toContain("5 keys changed, **2 with an escalation ⚠️**.");
    expect(report).toContain("| search-admin | update in place | test | `SEARCH_API/PIPELINES/EDIT[*]` | – | unchanged | ⚠️ grants EDIT (SEARCH_API/PIPELINES/EDIT[*]); wildcard target (SEARCH_API/PIPELINES/EDIT[*]) |");
    expect(report).toContain("| analytics | **replace** | test | – | – | **new secret** (rotation.trigger) |  |");
    expect(report).not.toMatch(/ak_(live|test)_[0-9A-Za-z]{20}/);
    expect(runReview(["review", "--fail-on", "escalation"], { ...io, stdout: () => undefined })).toBe(2);
    expect(runReview(["review", "--format", "json"], { ...io, stdout: (s) => expect(JSON.parse(s).escalations).toBe(2) })).toBe(0);
  });

  test("input that is not preview JSON is refused with what was expected", () => {
    const errors: string[] = [];
    expect(runReview(["review"], { stdin: () => "Previewing update (dev):", stdout: () => undefined, stderr: (s) => errors.push(s) })).toBe(66);
    expect(errors.join("")).toBe("review: the input is not JSON: pass the output of `pulumi preview --json`\n");
  });
});
