import { createHash, generateKeyPairSync } from "node:crypto";
import { newToken } from "../../server/ids";
import { alertSigner } from "../helpers/alertSigner";
import { startServerWithOrganization, whoami, type TestOrganization } from "../helpers/fixtures";
import { startTestServer, type DatabaseKind, type TestServer } from "../helpers/testServer";

const github = alertSigner("f9525bf080f75b3506ca1ead061add62b8633a346606dc5fe544e29231c6ee0d");
const impostor = alertSigner(github.published.key_identifier);
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe.each<DatabaseKind>(["sqlite", "postgres"])("secret-scanning alerts on %s", (kind) => {
  let t: TestServer;
  let org: TestOrganization;
  beforeEach(async () => ({ t, org } = await startServerWithOrganization(kind, { leakAlertKeys: JSON.stringify({ public_keys: [github.published] }) })));
  afterEach(async () => t.close());

  const createKey = async () => (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "checkout" } })).body;
  const deliver = (body: string, headers: Record<string, string>) =>
    t.api("POST", "/v1/secret-scanning/alerts", { rawBody: body, headers: { "content-type": "application/json", ...headers } });
  const signed = (body: string, signer = github) => ({
    "Github-Public-Key-Identifier": signer.published.key_identifier,
    "Github-Public-Key-Signature": signer.sign(body),
  });
  const auditOf = async () => (await t.api("GET", `/v1/organizations/${org.id}/audit`, { token: org.token })).body.items as any[];

  test("a signed alert for a live key revokes it at once, says true_positive, and audits why and where", async () => {
    const key = await createKey();
    const url = "https://github.com/acme/shop/blob/0123abc/config/.env";
    const body = JSON.stringify([{ token: key.secret, type: "pulumi_apikeys_secret", url, source: "content" }]);
    const answer = await deliver(body, signed(body));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([{ token_hash: sha256(key.secret), token_type: "pulumi_apikeys_secret", label: "true_positive" }]);
    expect((await whoami(t, key.secret)).body.error.reason).toBe("REVOKED");
    expect((await auditOf()).at(-1)).toMatchObject({
      action: "key.revoke",
      keyId: key.id,
      actor: "secret-scanning",
      details: { reason: "leaked", url, source: "content" },
    });
    // Listed as gone; asked for with includeRevoked, it says why.
    expect((await t.api("GET", `/v1/organizations/${org.id}/keys/${key.id}`, { token: org.token })).status).toBe(404);
    const revoked = await t.api("GET", `/v1/organizations/${org.id}/keys/${key.id}?includeRevoked=true`, { token: org.token });
    expect(revoked.body).toMatchObject({ id: key.id, status: "revoked", revokedReason: "leaked" });
    // The secret is in no log line and no audit entry.
    expect(t.logs.join("\n")).not.toContain(key.secret);
    expect(JSON.stringify(await auditOf())).not.toContain(key.secret);
  });

  test("unknown and malformed tokens are false_positive, change nothing, and take as long as a revocation", async () => {
    const key = await createKey();
    const unknown = `${key.secret.slice(0, -10)}AAAAAAAAAA`;
    const tokens = [unknown, "ak_live_notachecksummedsecret", "ghp_somethingelse"];
    const body = JSON.stringify(tokens.map((token) => ({ token, type: "pulumi_apikeys_secret" })));
    const started = Date.now();
    const answer = await deliver(body, signed(body));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(answer.body.map((a: any) => a.label)).toEqual(["false_positive", "false_positive", "false_positive"]);
    expect((await whoami(t, key.secret)).status).toBe(200);
    expect((await auditOf()).map((e) => e.action)).not.toContain("key.revoke");
  });

  test.each([
    ["unsigned", (_body: string) => ({})],
    ["signed by another key under GitHub's identifier", (body: string) => signed(body, impostor)],
    ["signed by an unknown identifier", (body: string) => ({ ...signed(body), "Github-Public-Key-Identifier": "0000" })],
    ["altered after signing", (body: string) => signed(body.replace("checkout-leak", "checkout-leak2"))],
    ["a signature that is not base64 DER", (_body: string) => ({ ...signed("x"), "Github-Public-Key-Signature": "!!!" })],
  ])("an alert %s is refused with 401 and changes nothing", async (_name, headersFor) => {
    const key = await createKey();
    const body = JSON.stringify([{ token: key.secret, type: "pulumi_apikeys_secret", url: "checkout-leak" }]);
    const answer = await deliver(body, headersFor(body));
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe("UNAUTHENTICATED");
    expect((await whoami(t, key.secret)).status).toBe(200);
  });

  test("a second alert for a revoked key is still ours (true_positive) and changes nothing more", async () => {
    const key = await createKey();
    const body = JSON.stringify([{ token: key.secret, type: "pulumi_apikeys_secret" }]);
    await deliver(body, signed(body));
    const again = await deliver(body, signed(body));
    expect(again.body[0].label).toBe("true_positive");
    expect((await auditOf()).filter((e) => e.action === "key.revoke")).toHaveLength(1);
  });
  const roll = async (keyId: string, gracePeriodSeconds: number) =>
    (await t.api("POST", `/v1/organizations/${org.id}/keys/${keyId}/roll`, { token: org.token, body: { gracePeriodSeconds } })).body;
  const keysOf = (token: string) => t.api("GET", `/v1/organizations/${org.id}/keys`, { token });
  const leakUrl = "https://github.com/acme/shop/blob/0123abc/deploy.sh";

  test("a signed alert for a live organization token revokes it at once (audit token.revoke by secret-scanning) and says true_positive", async () => {
    const issued = (await t.api("POST", `/v1/organizations/${org.id}/tokens`, { token: org.token, body: { name: "ci-deploy" } })).body;
    expect((await keysOf(issued.token)).status).toBe(200);
    const body = JSON.stringify([{ token: issued.token, type: "pulumi_apikeys_admin_token", url: leakUrl, source: "commit" }]);
    const answer = await deliver(body, signed(body));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([{ token_hash: sha256(issued.token), token_type: "pulumi_apikeys_admin_token", label: "true_positive" }]);
    const refused = await keysOf(issued.token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/revoked/);
    expect((await auditOf()).at(-1)).toMatchObject({
      action: "token.revoke",
      actor: "secret-scanning",
      details: { tokenId: issued.id, reason: "leaked", url: leakUrl, source: "commit" },
    });
    // Again: still ours, nothing more happens; the organization's other token is untouched.
    expect((await deliver(body, signed(body))).body[0].label).toBe("true_positive");
    expect((await auditOf()).filter((e) => e.action === "token.revoke")).toHaveLength(1);
    expect((await keysOf(org.token)).status).toBe(200);
    expect(t.logs.join("\n")).not.toContain(issued.token);
    expect(JSON.stringify(await auditOf())).not.toContain(issued.token);
  });

  test("a leaked token's revocation names the tokens it issued that still work, for review, and leaves them working", async () => {
    const leaked = (await t.api("POST", `/v1/organizations/${org.id}/tokens`, { token: org.token, body: { name: "ci-deploy" } })).body;
    // Two tokens minted with it (by the team, or by whoever found it first); one already revoked.
    const minted = (await t.api("POST", `/v1/organizations/${org.id}/tokens`, { token: leaked.token, body: { name: "nightly-export" } })).body;
    const gone = (await t.api("POST", `/v1/organizations/${org.id}/tokens`, { token: leaked.token, body: { name: "old-export" } })).body;
    expect((await t.api("DELETE", `/v1/organizations/${org.id}/tokens/${gone.id}`, { token: org.token })).status).toBe(200);
    const body = JSON.stringify([{ token: leaked.token, type: "pulumi_apikeys_admin_token", url: leakUrl, source: "commit" }]);
    expect((await deliver(body, signed(body))).body[0].label).toBe("true_positive");
    const revoke = (await auditOf()).filter((e) => e.action === "token.revoke" && e.actor === "secret-scanning");
    expect(revoke).toHaveLength(1);
    expect(revoke[0].details).toMatchObject({ tokenId: leaked.id, issuedTokens: [{ tokenId: minted.id, name: "nightly-export", hint: minted.hint }] });
    // Not revoked on suspicion: a legitimate job using it must not fail because another token leaked.
    expect((await keysOf(minted.token)).status).toBe(200);
    expect(t.logs.join("\n")).toMatch(/"event":"leaked_token_issued_tokens"/);
    expect(t.logs.join("\n")).toContain(minted.id);
    expect(t.logs.join("\n")).not.toContain(minted.token);
    expect(JSON.stringify(await auditOf())).not.toContain(minted.token);
  });

  // Issue 34: only the tokens the leaked one minted itself were named. A token minted by its child,
  // or through a token that then revoked itself, was named nowhere and kept working unnoticed.
  test("a leaked token's revocation names every working token minted from it, however deep, also through revoked tokens", async () => {
    const mint = async (by: string, name: string) => (await t.api("POST", `/v1/organizations/${org.id}/tokens`, { token: by, body: { name } })).body;
    const leaked = await mint(org.token, "ci-deploy");
    const child = await mint(leaked.token, "nightly-export");
    const grandchild = await mint(child.token, "export-reader");
    const greatGrandchild = await mint(grandchild.token, "export-reader-2");
    // An intermediate that minted one token and then revoked itself (covering its tracks).
    const intermediate = await mint(leaked.token, "temp");
    const hidden = await mint(intermediate.token, "backup-job");
    expect((await t.api("DELETE", `/v1/organizations/${org.id}/tokens/${intermediate.id}`, { token: intermediate.token })).status).toBe(200);
    // A revoked descendant is not named (it opens nothing); neither is a token outside the tree.
    const revokedGrandchild = await mint(child.token, "old-reader");
    expect((await t.api("DELETE", `/v1/organizations/${org.id}/tokens/${revokedGrandchild.id}`, { token: org.token })).status).toBe(200);
    const unrelated = await mint(org.token, "unrelated");

    const body = JSON.stringify([{ token: leaked.token, type: "pulumi_apikeys_admin_token", url: leakUrl, source: "commit" }]);
    expect((await deliver(body, signed(body))).body[0].label).toBe("true_positive");
    const working = [child, grandchild, greatGrandchild, hidden];
    const revoke = (await auditOf()).filter((e) => e.action === "token.revoke" && e.actor === "secret-scanning");
    expect(revoke).toHaveLength(1);
    const named = revoke[0].details.issuedTokens as Array<{ tokenId: string; name: string; hint: string; createdBy: string }>;
    expect(named.map((n) => n.tokenId).sort()).toEqual(working.map((w) => w.id).sort());
    // Each says who minted it, so the chain can be followed back to the leaked token.
    expect(named.find((n) => n.tokenId === hidden.id)).toMatchObject({ name: "backup-job", hint: hidden.hint, createdBy: intermediate.id });
    expect(named.find((n) => n.tokenId === greatGrandchild.id)).toMatchObject({ createdBy: grandchild.id });
    const warn = t.logs.map((line) => JSON.parse(line)).find((line) => line.event === "leaked_token_issued_tokens");
    expect([...warn.tokenIds].sort()).toEqual(working.map((w) => w.id).sort());
    for (const w of working) expect(warn.message).toContain(w.id);
    expect(warn.message).not.toContain(unrelated.id);
    // Named for review, not revoked: they all keep working.
    for (const w of working) expect((await keysOf(w.token)).status).toBe(200);
    for (const w of [...working, leaked, intermediate]) {
      expect(t.logs.join("\n")).not.toContain(w.token);
      expect(JSON.stringify(await auditOf())).not.toContain(w.token);
    }
  });

  test("a signed alert naming the root token says true_positive and logs an error saying how to replace it, never the token", async () => {
    // The test server's root token is operator-chosen (`rt_test_` + base64url, no checksum): any shape counts.
    const stranger = newToken("rt"); // checksummed like ours, but not this server's root token
    const body = JSON.stringify([
      { token: t.rootToken, type: "pulumi_apikeys_root_token", url: leakUrl },
      { token: stranger, type: "pulumi_apikeys_root_token" },
    ]);
    const answer = await deliver(body, signed(body));
    expect(answer.body.map((a: { label: string }) => a.label)).toEqual(["true_positive", "false_positive"]);
    const errors = t.logs.map((line) => JSON.parse(line)).filter((line) => line.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/root token.*leaked/i);
    expect(errors[0].message).toMatch(/APIKEYS_ROOT_TOKEN/);
    expect(errors[0].url).toBe(leakUrl);
    expect(t.logs.join("\n")).not.toContain(t.rootToken);
    expect(t.logs.join("\n")).not.toContain(stranger);
    // Reported, not revoked: the operator replaces it (a server cannot lock its only root out).
    expect((await t.api("GET", "/v1/me", { token: t.rootToken })).status).toBe(200);
  });

  test("a root token the server generated (rt_...) is reported the same way", async () => {
    const generated = await startTestServer(kind, { rootToken: undefined, leakAlertKeys: JSON.stringify({ public_keys: [github.published] }) });
    try {
      const rootToken = generated.server.generatedRootToken!;
      expect(rootToken).toMatch(/^rt_/);
      const body = JSON.stringify([{ token: rootToken, type: "pulumi_apikeys_root_token" }]);
      const answer = await generated.api("POST", "/v1/secret-scanning/alerts", {
        rawBody: body,
        headers: { "content-type": "application/json", ...signed(body) },
      });
      expect(answer.body[0].label).toBe("true_positive");
      expect(generated.logs.filter((line) => JSON.parse(line).level === "error")).toHaveLength(1);
      expect(generated.logs.join("\n")).not.toContain(rootToken);
    } finally {
      await generated.close();
    }
  });

  test("an alert for a secret rolled away with no grace revokes nothing: the key's new secret keeps working (true_positive, audit note)", async () => {
    const key = await createKey();
    const rolled = await roll(key.id, 0);
    const body = JSON.stringify([{ token: key.secret, type: "pulumi_apikeys_secret", url: leakUrl }]);
    const answer = await deliver(body, signed(body));
    expect(answer.body[0].label).toBe("true_positive");
    expect((await whoami(t, rolled.secret)).status).toBe(200);
    expect((await whoami(t, key.secret)).status).toBe(401);
    const audit = await auditOf();
    expect(audit.map((e) => e.action)).not.toContain("key.revoke");
    expect(audit.at(-1)).toMatchObject({
      action: "key.leak_reported",
      keyId: key.id,
      actor: "secret-scanning",
      details: { reason: "leaked", secret: "expired", url: leakUrl },
    });
    expect(JSON.stringify(audit)).not.toContain(key.secret);
  });

  test("an alert for a previous secret still in its grace ends that grace now; the key and its new secret keep working", async () => {
    const key = await createKey();
    const rolled = await roll(key.id, 3600);
    expect((await whoami(t, key.secret)).status).toBe(200); // in its grace (and now in the verify cache)
    const body = JSON.stringify([{ token: key.secret, type: "pulumi_apikeys_secret", url: leakUrl }]);
    expect((await deliver(body, signed(body))).body[0].label).toBe("true_positive");
    expect((await whoami(t, key.secret)).status).toBe(401);
    expect((await whoami(t, rolled.secret)).status).toBe(200);
    expect((await t.api("GET", `/v1/organizations/${org.id}/keys/${key.id}`, { token: org.token })).body.status).toBe("active");
    const audit = await auditOf();
    expect(audit.map((e) => e.action)).not.toContain("key.revoke");
    expect(audit.at(-1)).toMatchObject({ action: "key.secret_revoke", keyId: key.id, actor: "secret-scanning", details: { reason: "leaked", url: leakUrl } });
    // The current secret leaking later still revokes the key.
    const again = JSON.stringify([{ token: rolled.secret, type: "pulumi_apikeys_secret" }]);
    await deliver(again, signed(again));
    expect((await whoami(t, rolled.secret)).body.error.reason).toBe("REVOKED");
  });
});

describe("secret-scanning alert settings", () => {
  test("a server without signing keys answers 503 and says which setting to set; a malformed key document stops the start", async () => {
    const t = await startTestServer("sqlite");
    try {
      const answer = await t.api("POST", "/v1/secret-scanning/alerts", { body: [] });
      expect(answer.status).toBe(503);
      expect(answer.body.error.message).toContain("APIKEYS_LEAK_ALERT_KEYS");
    } finally {
      await t.close();
    }
    await expect(startTestServer("sqlite", { leakAlertKeys: '{"public_keys":[{"key_identifier":"a","key":"not a key"}]}' })).rejects.toThrow(
      "leakAlertKeys: public_keys[0].key is not a PEM public key",
    );
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }).toString();
    await expect(startTestServer("sqlite", { leakAlertKeys: JSON.stringify({ public_keys: [{ key_identifier: "a", key: rsa }] }) })).rejects.toThrow(
      "must be an ECDSA P-256 key",
    );
  });
});
