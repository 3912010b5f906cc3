import { githubCredentialAnnotations } from "../../../../review/credentials/format/github";
import { expectNothingSecretIn, sampleReport } from "./sampleReport";

describe("the credential report as GitHub annotations", () => {
  const report = sampleReport();

  test("GitHub: an annotation per high or medium finding", () => {
    const annotations = githubCredentialAnnotations(report).trimEnd().split("\n");
    expect(annotations).toHaveLength(4);
    expect(annotations[0]).toMatch(/^::error title=API key shop\/payments idle-admin%3A unused-high-risk::idle-admin: holds high-risk privilege/);
  });

  test("carries no secret, ciphertext or provider code", () => {
    expectNothingSecretIn(githubCredentialAnnotations(report));
  });
});
