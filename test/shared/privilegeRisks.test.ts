import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RISKS, findRulesFile, loadRulesFile, parseRulesFile, RiskCatalogue } from "../../shared/privilegeRisks";
import { readmeRow } from "../../shared/privilegeRisks/readmeTable";

const p = (path: string, targetIds?: string[]) => {
  const [owner, targetDomain, type] = path.split("/");
  return { owner, targetDomain, type, ...(targetIds ? { targetIds } : {}) };
};

describe("the privilege risk catalogue", () => {
  const catalogue = new RiskCatalogue();
  const severities = (path: string, targetIds?: string[]) => catalogue.assess("k", p(path, targetIds)).risks.map((r) => r.severity);

  test.each([
    ["SEARCH_API/IMPERSONATE/ENABLE", ["high"]],
    ["SEARCH_API/VIEW_ALL_CONTENT/ENABLE", ["high"]],
    ["USAGE_ANALYTICS/IMPERSONATE/ENABLE", ["high"]],
    ["PLATFORM/API_KEYS/EDIT", ["high"]],
    ["PLATFORM/API_KEYS/VIEW", ["medium"]],
    ["PLATFORM/GROUPS/CREATE", ["high"]],
    ["PLATFORM/ORGANIZATION/EDIT", ["high"]],
    ["PLATFORM/ORGANIZATION/VIEW", []],
    ["USAGE_ANALYTICS/ADMINISTRATE/ENABLE", ["high"]],
    ["CONTENT/SOURCE/EDIT", ["medium"]],
    ["SEARCH_API/EXECUTE_QUERY/ENABLE", []],
    ["CONTENT/SOURCE/VIEW", []],
  ])("%s is %j", (path, expected) => {
    expect(severities(path)).toEqual(expected);
  });

  test('a "*" target adds its own risk', () => {
    expect(severities("SEARCH_API/PIPELINES/EDIT", ["*"])).toEqual(["medium", "medium"]);
    expect(severities("SEARCH_API/EXECUTE_QUERY/ENABLE", ["*"])).toEqual(["medium"]);
    expect(severities("SEARCH_API/EXECUTE_QUERY/ENABLE", ["pipeline-1"])).toEqual([]);
  });

  test("each risk carries a reason a reviewer understands and its source", () => {
    const [risk] = catalogue.assess("k", p("SEARCH_API/IMPERSONATE/ENABLE")).risks;
    expect(risk).toEqual({
      severity: "high",
      privilege: "SEARCH_API/IMPERSONATE/ENABLE",
      reason: expect.stringContaining("as any user"),
      source: expect.stringContaining("docs.coveo.com"),
    });
  });

  test("a rules file adds entries, changes a severity, silences one, and accepts a privilege for named keys", () => {
    const team = new RiskCatalogue(
      parseRulesFile(
        JSON.stringify({
          risks: [
            { privilege: "SEARCH_API/PIPELINES/*", severity: "high", reason: "changes how every query is ranked" },
            { privilege: "*/*/DELETE", severity: "high", reason: "deletes data" },
            { privilege: "*/*/CREATE", severity: "none", reason: "we create freely" },
          ],
          accept: [{ keys: ["support-search"], privilege: "SEARCH_API/IMPERSONATE/*", reason: "support agents see what the customer sees" }],
        }),
        "apikeys-review.json",
      ),
    );
    expect(team.assess("k", p("SEARCH_API/PIPELINES/VIEW")).risks.map((r) => r.reason)).toEqual(["changes how every query is ranked"]);
    expect(team.assess("k", p("CONTENT/SOURCE/DELETE")).risks.map((r) => r.severity)).toEqual(["high"]);
    expect(team.assess("k", p("CONTENT/SOURCE/CREATE")).risks).toEqual([]);
    expect(team.assess("support-search", p("SEARCH_API/IMPERSONATE/ENABLE"))).toEqual({
      risks: [],
      acceptedBecause: "SEARCH_API/IMPERSONATE/ENABLE accepted: support agents see what the customer sees",
    });
    expect(team.assess("storefront", p("SEARCH_API/IMPERSONATE/ENABLE")).risks.map((r) => r.severity)).toEqual(["high"]);
  });

  test.each([
    [
      { risks: [{ privilege: "search_api/x/*", severity: "high", reason: "lower case" }] },
      "apikeys-review.json: risks[0].privilege: must be OWNER/TARGET_DOMAIN/TYPE",
    ],
    [{ risks: [{ privilege: "A/B/C", severity: "critical", reason: "no such severity" }] }, 'risks[0].severity: must be "high", "medium" or "none"'],
    [{ accept: [{ keys: [], privilege: "A/B/C", reason: "why not" }] }, "accept[0].keys: must name at least one key"],
    [{ rules: [] }, 'Unrecognized key: "rules"'],
  ])("a bad rules file names the field: %j", (content, message) => {
    expect(() => parseRulesFile(JSON.stringify(content), "apikeys-review.json")).toThrow(message);
  });

  test("the rules file is found from the working directory up to the repository root, and not beyond", () => {
    const root = mkdtempSync(join(tmpdir(), "rules-"));
    const repo = join(root, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    mkdirSync(join(repo, "infra", "prod"), { recursive: true });
    writeFileSync(join(root, "apikeys-review.json"), "{}"); // outside the repository: ignored
    expect(findRulesFile(join(repo, "infra", "prod"))).toBeUndefined();
    writeFileSync(join(repo, "apikeys-review.json"), JSON.stringify({ accept: [] }));
    expect(findRulesFile(join(repo, "infra", "prod"))).toBe(join(repo, "apikeys-review.json"));
    expect(() => loadRulesFile(join(repo, "missing.json"))).toThrow("missing.json: cannot be read (ENOENT)");
  });
});

describe("docs/review.md", () => {
  test("lists every default entry of the catalogue as it is", () => {
    const readme = readFileSync(join(__dirname, "../../docs/review.md"), "utf8");
    for (const entry of DEFAULT_RISKS) expect(readme).toContain(readmeRow(entry));
  });
});
