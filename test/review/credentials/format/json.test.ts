import { jsonCredentialReport } from "../../../../review/credentials/format/json";
import { AS_OF } from "../../exportFixture";
import { expectNothingSecretIn, sampleReport } from "./sampleReport";

describe("the credential report as JSON", () => {
  const report = sampleReport();

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

  test("carries no secret, ciphertext or provider code", () => {
    expectNothingSecretIn(jsonCredentialReport(report));
  });
});
