import { createHash } from "node:crypto";
import { alertSigner } from "../helpers/alertSigner";
import { startServerWithOrganization, whoami, type TestOrganization } from "../helpers/fixtures";
import type { DatabaseKind, TestServer } from "../helpers/testServer";

const github = alertSigner("f9525bf080f75b3506ca1ead061add62b8633a346606dc5fe544e29231c6ee0d");
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** One bad entry must not shield the good ones in the same signed alert: each is validated on its own. */
describe.each<DatabaseKind>(["sqlite", "postgres"])("secret-scanning alert entries on %s", (kind) => {
  let t: TestServer;
  let org: TestOrganization;
  beforeEach(async () => ({ t, org } = await startServerWithOrganization(kind, { leakAlertKeys: JSON.stringify({ public_keys: [github.published] }) })));
  afterEach(async () => t.close());

  const createKey = async (displayName: string) =>
    (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName } })).body as { id: string; secret: string };
  const deliver = (body: string) => t.api("POST", "/v1/secret-scanning/alerts", { rawBody: body, headers: github.headers(body) });

  test("an over-long url in one entry: every named key is revoked (the url is cut short), an entry with no token is reported by index and field", async () => {
    const leaked = await createKey("leaked");
    const alsoLeaked = await createKey("also leaked");
    const longUrl = await createKey("in the entry with the long url");
    const entries = [
      { token: leaked.secret, type: "pulumi_apikeys_secret", url: "https://github.com/acme/shop/blob/abc/.env", source: "content" },
      { token: longUrl.secret, type: "pulumi_apikeys_secret", url: `https://github.com/${"a".repeat(2031)}`, source: "content" },
      "not an entry",
      { token: alsoLeaked.secret, type: "pulumi_apikeys_secret" },
    ];
    expect((entries[1] as { url: string }).url).toHaveLength(2050);
    const answer = await deliver(JSON.stringify(entries));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { token_hash: sha256(leaked.secret), token_type: "pulumi_apikeys_secret", label: "true_positive" },
      // A leaked key is revoked whatever the scanner says about where: only its token and type matter.
      { token_hash: sha256(longUrl.secret), token_type: "pulumi_apikeys_secret", label: "true_positive" },
      { index: 2, error: { code: "VALIDATION_FAILED", field: "2", message: expect.stringContaining("2: must be an object") } },
      { token_hash: sha256(alsoLeaked.secret), token_type: "pulumi_apikeys_secret", label: "true_positive" },
    ]);
    expect((await whoami(t, leaked.secret)).body.error.reason).toBe("REVOKED");
    expect((await whoami(t, alsoLeaked.secret)).body.error.reason).toBe("REVOKED");
    expect((await whoami(t, longUrl.secret)).body.error.reason).toBe("REVOKED");
    // The audit keeps the url cut to its limit; the whole of it is in no log line.
    const audit = await t.api("GET", `/v1/organizations/${org.id}/audit`, { token: org.token });
    const revoke = (audit.body.items as Array<{ action: string; keyId?: string; details?: { url?: string } }>).find(
      (e) => e.action === "key.revoke" && JSON.stringify(e).includes(longUrl.id),
    );
    expect(JSON.stringify(revoke)).toContain("a".repeat(1900));
    expect(JSON.stringify(revoke)).not.toContain("a".repeat(2031));
    expect(t.logs.join("\n")).not.toContain("a".repeat(2031));
  });

  test("an alert that is not a list of entries is still refused as a whole with 400", async () => {
    for (const body of ["{}", "[]", JSON.stringify(Array.from({ length: 1001 }, () => ({ token: "x", type: "t" })))]) {
      const answer = await deliver(body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("VALIDATION_FAILED");
    }
  });
});
