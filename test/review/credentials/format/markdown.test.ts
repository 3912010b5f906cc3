import { markdownCredentialReport } from "../../../../review/credentials/format/markdown";
import { expectNothingSecretIn, sampleReport } from "./sampleReport";

describe("the credential report in Markdown", () => {
  const report = sampleReport();

  test("Markdown: a summary and one row per key with its findings", () => {
    const markdown = markdownCredentialReport(report);
    expect(markdown).toContain("As of 2026-12-31: 3 keys in 1 stack; findings: **1 high** ⛔, **3 medium** ⚠️ on 1 key.");
    const rows = markdown.split("\n").filter((l) => l.startsWith("| shop/payments"));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe(
      "| shop/payments | checkout | reference | org_acme | live | payments-team | `SEARCH_API/EXECUTE_QUERY/ENABLE` | 10 days | every 30 days | never | 2026-12-30 (1 day ago) | active | – |",
    );
    expect(rows[1]).toContain(
      "| `SEARCH_API/IMPERSONATE/ENABLE` ⛔ high | 120 days | none | never | never (120 days since creation) | active | ⛔ holds high-risk",
    );
    expect(rows[2]).toContain("not reported by didomi");
    expect(markdownCredentialReport({ ...report, keys: [] })).toBe("### API key credential report\n\nNo API keys in payments.json.\n");
  });

  test("carries no secret, ciphertext or provider code", () => {
    expectNothingSecretIn(markdownCredentialReport(report));
  });
});
