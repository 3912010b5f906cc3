import { RiskCatalogue, reportThresholdsSchema } from "../../../shared/privilegeRisks";
import { credentialReport, failsOn, findingCounts } from "../../../review/credentials/report";
import { parseStackExport } from "../../../review/credentials/stackExport";
import { apiKey, AS_OF, daysBefore, encrypted, exportText } from "../exportFixture";

const thresholds = reportThresholdsSchema().parse({});
const exportOf = (source: string, stack: string, resources: unknown[]) => parseStackExport(exportText(resources, stack), source);

describe("the credential report of several exports", () => {
  // search: one unused key (medium); payments: a stale secret (medium) and a clean key.
  const report = credentialReport(
    [
      exportOf("search.json", "search", [apiKey("zeta", { lastUsedAt: daysBefore(100) }, { stack: "search" })]),
      exportOf("payments.json", "payments", [apiKey("old", { rotatedAt: daysBefore(40) }), apiKey("checkout", {})]),
    ],
    new RiskCatalogue(),
    thresholds,
    AS_OF,
  );

  test("stacks in the order given, keys by name within each; the sources and the moment it is as of", () => {
    expect(report.keys.map((k) => `${k.stack} ${k.name}`)).toEqual(["shop/search zeta", "shop/payments checkout", "shop/payments old"]);
    expect(report.sources).toEqual(["search.json", "payments.json"]);
    expect(report.asOf).toBe(AS_OF.toISOString());
  });

  test("findingCounts: findings by severity, and the keys with at least one", () => {
    expect(findingCounts(report)).toEqual({ high: 0, medium: 2, low: 0, keysWithFindings: 2 });
  });

  test("failsOn: a severity matches it and worse, a kind matches that kind only", () => {
    expect(failsOn(report, [{ severity: "medium" }])).toBe(true);
    expect(failsOn(report, [{ severity: "low" }])).toBe(true);
    expect(failsOn(report, [{ severity: "high" }])).toBe(false);
    expect(failsOn(report, [{ kind: "unused" }])).toBe(true);
    expect(failsOn(report, [{ kind: "expiring" }, { kind: "never-used" }])).toBe(false);
    expect(failsOn(report, [])).toBe(false);
  });

  test("failsOn: an unreadable finding matches the kinds it may hide, as those findings would", () => {
    const unreadable = credentialReport(
      [exportOf("f.json", "payments", [apiKey("idle", { lastUsedAt: undefined, createdAt: encrypted(), rotatedAt: encrypted() })])],
      new RiskCatalogue(),
      thresholds,
      AS_OF,
    );
    expect(unreadable.keys[0].findings.map((f) => f.kind)).toContain("unreadable");
    expect(failsOn(unreadable, [{ kind: "never-used" }])).toBe(true);
    expect(failsOn(unreadable, [{ kind: "unreadable" }])).toBe(true);
    expect(failsOn(unreadable, [{ kind: "expiring" }])).toBe(false);
  });
});
