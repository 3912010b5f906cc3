import { startServer } from "../../server/index";
import { startServerWithOrganization, type TestOrganization } from "../helpers/fixtures";
import { freshDatabaseUrl, type TestServer } from "../helpers/testServer";

describe("admin tokens: issue, list, expire, revoke (reference server)", () => {
  let t: TestServer;
  let org: TestOrganization;
  const tokensPath = () => `/v1/organizations/${org.id}/tokens`;
  beforeEach(async () => ({ t, org } = await startServerWithOrganization("sqlite", { rateLimitPerSecond: 0 })));
  afterEach(async () => t.close());

  test("a token is issued once with its secret, listed without it, and refused everywhere right after it is revoked", async () => {
    const issued = await t.api("POST", tokensPath(), { token: org.token, body: { name: "ci-deploy", description: "GitHub Actions" } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ name: "ci-deploy", scope: "manage", status: "active", expiresAt: null });
    expect(issued.body.token).toMatch(/^at_/);

    expect((await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: issued.body.token })).status).toBe(200);
    const listed = await t.api("GET", tokensPath(), { token: org.token });
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(issued.body.token);
    expect(listed.text).not.toContain(org.token);
    const entry = listed.body.items.find((x: { id: string }) => x.id === issued.body.id);
    expect(entry).toMatchObject({
      name: "ci-deploy",
      description: "GitHub Actions",
      hint: issued.body.hint,
      createdBy: expect.stringMatching(/^tok_/),
      status: "active",
    });
    expect(entry.lastUsedAt).not.toBeNull();
    expect(listed.body.items.map((x: { name: string }) => x.name)).toContain("initial admin token");

    const revoked = await t.api("DELETE", `${tokensPath()}/${issued.body.id}`, { token: org.token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe("revoked");
    const refused = await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: issued.body.token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/revoked/);
    expect((await t.api("DELETE", `${tokensPath()}/${issued.body.id}`, { token: org.token })).status).toBe(404);

    const audit = (await t.api("GET", `/v1/organizations/${org.id}/audit`, { token: org.token })).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(["token.create", "token.revoke"]));
    expect(JSON.stringify(audit)).not.toContain(issued.body.token);
  });

  test("a token with an expiry stops working then; an expiry in the past is refused naming the field", async () => {
    const inAnHour = new Date(t.clock.now().getTime() + 3600_000).toISOString();
    const issued = await t.api("POST", tokensPath(), { token: org.token, body: { name: "temporary", expiresAt: inAnHour } });
    expect(issued.status).toBe(201);
    expect((await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: issued.body.token })).status).toBe(200);
    t.clock.advance(3601);
    const expired = await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: issued.body.token });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
    const past = await t.api("POST", tokensPath(), { token: org.token, body: { name: "x", expiresAt: "2001-01-01T00:00:00Z" } });
    expect(past.status).toBe(400);
    expect(past.body.error.field).toBe("expiresAt");
  });

  test("a token with an expiry issues tokens that expire no later than it; an explicit null expiry from it is refused naming expiresAt", async () => {
    const inAnHour = new Date(t.clock.now().getTime() + 3600_000).toISOString();
    const minter = (await t.api("POST", tokensPath(), { token: org.token, body: { name: "temporary", expiresAt: inAnHour } })).body;
    const issue = (body: Record<string, unknown>) => t.api("POST", tokensPath(), { token: minter.token, body });

    const unstated = await issue({ name: "child" });
    expect(unstated.status).toBe(201);
    expect(unstated.body.expiresAt).toBe(minter.expiresAt);
    const later = await issue({ name: "later", expiresAt: new Date(t.clock.now().getTime() + 86_400_000).toISOString() });
    expect(later.status).toBe(201);
    expect(later.body.expiresAt).toBe(minter.expiresAt);
    const inHalfAnHour = new Date(t.clock.now().getTime() + 1800_000).toISOString();
    expect((await issue({ name: "sooner", expiresAt: inHalfAnHour })).body.expiresAt).toBe(inHalfAnHour);

    const forever = await issue({ name: "forever", expiresAt: null });
    expect(forever.status).toBe(400);
    expect(forever.body.error.field).toBe("expiresAt");
    expect(forever.body.error.message).toContain(minter.expiresAt);
    expect(forever.body.error.message).toMatch(/root token|without an expiry/);

    const audit = (await t.api("GET", `/v1/organizations/${org.id}/audit`, { token: org.token })).body.items;
    expect(audit.filter((e: { action: string }) => e.action === "token.create").at(-1).details).toMatchObject({ expiresAt: inHalfAnHour });

    t.clock.advance(3601);
    for (const child of [unstated, later]) expect((await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: child.body.token })).status).toBe(401);
    // A token without an expiry (and the root token) still issues tokens without one.
    const unbounded = await t.api("POST", tokensPath(), { token: org.token, body: { name: "service", expiresAt: null } });
    expect([unbounded.status, unbounded.body.expiresAt]).toEqual([201, null]);
    expect((await t.api("POST", tokensPath(), { token: t.rootToken, body: { name: "by root" } })).body.expiresAt).toBeNull();
  });

  test("a refused bearer token is told it was refused and how to get a new one; only a request without a token is told to send one", async () => {
    const keysPath = `/v1/organizations/${org.id}/keys`;
    const none = await t.api("GET", keysPath);
    expect(none.status).toBe(401);
    expect(none.body.error.message).toMatch(/send an organization or root token as Authorization: Bearer <token>/);

    const unknown = await t.api("GET", keysPath, { token: "at_notATokenThisServerIssued0123456789" });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).not.toMatch(/^send an organization/);
    expect(unknown.body.error.message).toMatch(/refused/);
    expect(unknown.body.error.message).toMatch(/unknown, revoked or expired/);
    expect(unknown.body.error.message).toContain("POST /v1/organizations/{orgId}/tokens");
    expect(unknown.body.error.message).toMatch(/root token/);
    expect(unknown.body.error.message).toMatch(/console/);

    const issued = (await t.api("POST", tokensPath(), { token: org.token, body: { name: "gone" } })).body;
    await t.api("DELETE", `${tokensPath()}/${issued.id}`, { token: org.token });
    const revoked = await t.api("GET", keysPath, { token: issued.token });
    expect(revoked.body.error.message).toMatch(/revoked/);
    expect(revoked.body.error.message).toContain("POST /v1/organizations/{orgId}/tokens");

    const notBearer = await t.api("GET", keysPath, { headers: { authorization: `Token ${org.token}` } });
    expect(notBearer.status).toBe(401);
    expect(notBearer.body.error.message).toMatch(/Authorization: Bearer <token>/);
  });

  test("a read-only token reads but cannot change keys or mint tokens", async () => {
    const read = (await t.api("POST", tokensPath(), { token: org.token, body: { name: "dashboard", scope: "read" } })).body;
    expect((await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: read.token })).status).toBe(200);
    const create = await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: read.token, body: { displayName: "nope" } });
    expect(create.status).toBe(403);
    expect(create.body.error.message).toMatch(/read-only/);
    expect((await t.api("POST", tokensPath(), { token: read.token, body: {} })).status).toBe(403);
    expect((await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: org.token })).body.items).toEqual([]);
  });

  test("another organization's token cannot list or revoke this organization's tokens", async () => {
    const other = await t.createOrganization("other");
    expect((await t.api("GET", tokensPath(), { token: other.token })).status).toBe(404);
    const mine = (await t.api("GET", tokensPath(), { token: org.token })).body.items[0];
    expect((await t.api("DELETE", `/v1/organizations/${other.id}/tokens/${mine.id}`, { token: other.token })).status).toBe(404);
    expect((await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: org.token })).status).toBe(200);
  });

  test("a bad token request names the field", async () => {
    const answer = await t.api("POST", tokensPath(), { token: org.token, body: { name: "a\u202Eb" } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe("name");
    expect((await t.api("POST", tokensPath(), { token: org.token, body: { scope: "admin" } })).body.error.field).toBe("scope");
  });
});

describe("the root token", () => {
  test("shorter than 32 characters is refused at start with a clear message", async () => {
    const database = await freshDatabaseUrl("sqlite");
    try {
      await expect(startServer({ databaseUrl: database.url, rootToken: "admin", log: () => undefined })).rejects.toThrow(
        /APIKEYS_ROOT_TOKEN: must be at least 32 characters/,
      );
    } finally {
      await database.drop();
    }
  });
});

describe("token revocation across replicas (PostgreSQL)", () => {
  test("a token revoked through one replica is refused by the other on its very next request", async () => {
    const database = await freshDatabaseUrl("postgres");
    const rootToken = "rt_token_replicas_root_token_0123456789";
    const replicas = await Promise.all([0, 1].map(() => startServer({ databaseUrl: database.url, rootToken, log: () => undefined, rateLimitPerSecond: 0 })));
    try {
      const [a, b] = replicas.map((r) => r.url);
      const { callApi } = await import("../helpers/testServer");
      const org = (await callApi(a, "POST", "/v1/organizations", { token: rootToken, body: { name: "acme" } })).body;
      const issued = (await callApi(a, "POST", `/v1/organizations/${org.id}/tokens`, { token: org.token, body: { name: "leaked" } })).body;
      expect((await callApi(b, "GET", `/v1/organizations/${org.id}/keys`, { token: issued.token })).status).toBe(200);
      expect((await callApi(a, "DELETE", `/v1/organizations/${org.id}/tokens/${issued.id}`, { token: org.token })).status).toBe(200);
      expect((await callApi(b, "GET", `/v1/organizations/${org.id}/keys`, { token: issued.token })).status).toBe(401);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await database.drop();
    }
  });
});
