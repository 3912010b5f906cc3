import { csvCredentialReport, csvField } from "../../../../review/credentials/format/csv";
import { expectNothingSecretIn, sampleReport } from "./sampleReport";

describe("the credential report as CSV", () => {
  const report = sampleReport();

  test("CSV: one header row and one row per key, quoted and safe to open in a spreadsheet", () => {
    const csv = csvCredentialReport(report);
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      "stack,key,key_id,display_name,backend,organization,environment,owner,description,privileges,highest_risk,created_at,secret_issued_at,secret_age_days,rotation_policy,expires_at,last_used_at,days_unused,status,findings,unreadable_fields",
    );
    expect(lines[2]).toContain(",high,");
    expect(lines[2]).toContain(`,,120,active,"unused-high-risk; never-used; stale-secret; no-rotation-no-expiry",`);
    expect(lines[3]).toContain(`"partner, ""beta"""`);
    expect(lines[3]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[3]).toContain(",N/A,N/A,");
    expect([csvField("-1+2"), csvField("@x"), csvField(-1), csvField(undefined), csvField("a\nb")]).toEqual([`"'-1+2"`, `"'@x"`, "-1", "", '"a\nb"']);
  });

  test("carries no secret, ciphertext or provider code", () => {
    expectNothingSecretIn(csvCredentialReport(report));
  });
});
