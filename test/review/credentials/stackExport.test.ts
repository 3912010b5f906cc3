import { RiskCatalogue } from "../../../shared/privilegeRisks";
import { keyRecordsOf } from "../../../review/credentials/keyRecords";
import { SECRET_PLACEHOLDER } from "../../../review/credentials/secrets";
import { parseStackExport, StackExportError } from "../../../review/credentials/stackExport";
import { apiKey, AS_OF, CIPHERTEXT, exportText, PLAINTEXT, SIG } from "../exportFixture";

const recordsOf = (resources: unknown[]) => keyRecordsOf(parseStackExport(exportText(resources), "payments.json"), new RiskCatalogue(), AS_OF);

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
});
