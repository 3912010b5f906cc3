import { RiskCatalogue, reportThresholdsSchema } from "../../../shared/privilegeRisks";
import { findingsFor } from "../../../review/credentials/findings";
import { markdownCredentialReport } from "../../../review/credentials/format/markdown";
import { keyRecordsOf, type KeyRecord } from "../../../review/credentials/keyRecords";
import { credentialReport } from "../../../review/credentials/report";
import { parseStackExport } from "../../../review/credentials/stackExport";
import { apiKey, AS_OF, CIPHERTEXT, daysBefore, exportText, impersonate, search, SIG } from "../exportFixture";

const thresholds = reportThresholdsSchema().parse({});
const recordsOf = (resources: unknown[]) => keyRecordsOf(parseStackExport(exportText(resources), "payments.json"), new RiskCatalogue(), AS_OF);
const recordOf = (outputs: Record<string, unknown>, options?: Parameters<typeof apiKey>[2]) => recordsOf([apiKey("k", outputs, options)])[0];
const kinds = (record: KeyRecord) => findingsFor(record, thresholds).map((f) => f.kind);

describe("the key records of an export", () => {
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
