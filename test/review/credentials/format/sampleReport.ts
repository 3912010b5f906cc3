import { RiskCatalogue, reportThresholdsSchema } from "../../../../shared/privilegeRisks";
import { credentialReport, type CredentialReport } from "../../../../review/credentials/report";
import { parseStackExport } from "../../../../review/credentials/stackExport";
import { apiKey, AS_OF, CIPHERTEXT, daysBefore, exportText, impersonate } from "../../exportFixture";

/**
 * The report every format's test renders: a clean key, an idle admin key with four findings, and a
 * key whose name and description a spreadsheet would misread, on a backend that reports no last use.
 */
export function sampleReport(): CredentialReport {
  const resources = [
    apiKey("checkout", {}),
    apiKey("idle-admin", { privileges: [impersonate], lastUsedAt: undefined, createdAt: daysBefore(120), rotatedAt: daysBefore(120), rotation: undefined }),
    apiKey('partner, "beta"', { description: '=HYPERLINK("http://evil")', metadata: {}, backend: "didomi", lastUsedAt: undefined }),
  ];
  return credentialReport([parseStackExport(exportText(resources), "payments.json")], new RiskCatalogue(), reportThresholdsSchema().parse({}), AS_OF);
}

/** No format carries a secret, a ciphertext, the provider's code from state or a key's hint. */
export function expectNothingSecretIn(text: string): void {
  expect(text).not.toContain(CIPHERTEXT);
  expect(text).not.toContain("ciphertext");
  expect(text).not.toContain("pulumi-apikeys/provider/hooks");
  expect(text).not.toContain("ak_live_AbCd");
}
