import { RiskCatalogue, reportThresholdsSchema } from "../../../shared/privilegeRisks";
import { findingsFor } from "../../../review/credentials/findings";
import { keyRecordsOf, type KeyRecord } from "../../../review/credentials/keyRecords";
import { parseStackExport } from "../../../review/credentials/stackExport";
import { apiKey, AS_OF, daysBefore, exportText, impersonate } from "../exportFixture";

const thresholds = reportThresholdsSchema().parse({});
const recordsOf = (resources: unknown[]) => keyRecordsOf(parseStackExport(exportText(resources), "payments.json"), new RiskCatalogue(), AS_OF);
const recordOf = (outputs: Record<string, unknown>, options?: Parameters<typeof apiKey>[2]) => recordsOf([apiKey("k", outputs, options)])[0];
const kinds = (record: KeyRecord) => findingsFor(record, thresholds).map((f) => f.kind);

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
