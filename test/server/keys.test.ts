import { startServer } from "../../server/index";
import { searchPrivilege, startServerWithOrganization, whoami, type TestOrganization } from "../helpers/fixtures";
import { sql } from "kysely";
import { openDatabase } from "../../server/db/open";
import { callApi, freshDatabaseUrl, startTestServer, type DatabaseKind, type TestServer } from "../helpers/testServer";

describe.each<DatabaseKind>(["sqlite", "postgres"])("key API on %s", (kind) => {
  let t: TestServer;
  let org: TestOrganization;
  const keys = () => `/v1/organizations/${org.id}/keys`;

  beforeEach(async () => ({ t, org } = await startServerWithOrganization(kind)));
  afterEach(async () => t.close());

  async function createKey(body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
    const answer = await t.api("POST", keys(), { token: org.token, body: { displayName: "search", privileges: [searchPrivilege], ...body }, headers });
    expect(answer.status).toBe(201);
    return answer.body as { id: string; secret: string; hint: string; [k: string]: unknown };
  }

  test("create answers the secret once; get and list never show it", async () => {
    const created = await createKey({ environment: "live", description: "storefront" });
    expect(created.secret).toMatch(/^ak_live_[0-9A-Za-z]{30}$/);
    expect(created.hint).toBe(`${created.secret.slice(0, 12)}…`);
    expect(created).toMatchObject({ displayName: "search", environment: "live", enabled: true, status: "active", privileges: [searchPrivilege] });

    const got = await t.api("GET", `${keys()}/${created.id}`, { token: org.token });
    const listed = await t.api("GET", keys(), { token: org.token });
    expect(got.status).toBe(200);
    expect(got.body.id).toBe(created.id);
    expect(listed.body.items.map((k: { id: string }) => k.id)).toEqual([created.id]);
    for (const answer of [got, listed]) expect(answer.text).not.toContain(created.secret);
  });

  test("the secret is in no log line and no database row; only its hash is stored", async () => {
    const created = await createKey();
    expect((await whoami(t, created.secret)).status).toBe(200);
    const rolled = await t.api("POST", `${keys()}/${created.id}/roll`, { token: org.token, body: { gracePeriodSeconds: 60 } });
    const everything = `${t.logs.join("\n")}\n${await t.dumpDatabase()}`;
    for (const secret of [created.secret, rolled.body.secret, org.token, t.rootToken]) {
      expect(secret).toBeTruthy();
      expect(everything).not.toContain(secret);
    }
    expect(t.logs.length).toBeGreaterThanOrEqual(4);
  });

  test("verify accepts Api-Key, Bearer and the x-client-id + x-api-key pair, and names who the key is", async () => {
    const created = await createKey({ environment: "live" });
    const viaApiKey = await whoami(t, created.secret);
    const viaBearer = await t.api("GET", "/v1/whoami", { headers: { authorization: `Bearer ${created.secret}` } });
    const viaPair = await t.api("POST", "/v1/verify", { headers: { "x-client-id": created.id, "x-api-key": created.secret } });
    const wrongPair = await t.api("POST", "/v1/verify", { headers: { "x-client-id": "key_0000000000AAAAAAAAAA", "x-api-key": created.secret } });
    for (const answer of [viaApiKey, viaBearer, viaPair]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ keyId: created.id, organizationId: org.id, environment: "live", privileges: [searchPrivilege] });
    }
    expect(wrongPair.status).toBe(401);
    expect(wrongPair.body.error.reason).toBe("NOT_FOUND");
  });

  test("unknown, malformed, disabled, expired and revoked keys are refused with their reason", async () => {
    const created = await createKey();
    const tampered = created.secret.slice(0, -1) + (created.secret.endsWith("A") ? "B" : "A");
    const unknown = await whoami(t, tampered);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.reason).toBe("NOT_FOUND");

    await t.api("PATCH", `${keys()}/${created.id}`, { token: org.token, body: { enabled: false } });
    expect((await whoami(t, created.secret)).body.error.reason).toBe("DISABLED");

    const expiring = await createKey({ expiresAt: new Date(t.clock.now().getTime() + 3600_000).toISOString() });
    expect((await whoami(t, expiring.secret)).status).toBe(200);
    t.clock.advance(3601);
    expect((await whoami(t, expiring.secret)).body.error.reason).toBe("EXPIRED");

    const revoked = await createKey();
    expect((await t.api("DELETE", `${keys()}/${revoked.id}`, { token: org.token })).status).toBe(200);
    expect((await whoami(t, revoked.secret)).body.error.reason).toBe("REVOKED");
    expect((await t.api("GET", `${keys()}/${revoked.id}`, { token: org.token })).status).toBe(404);
  });

  test("roll issues a new secret; the old one works through the grace period, then stops", async () => {
    const created = await createKey();
    const rolled = await t.api("POST", `${keys()}/${created.id}/roll`, { token: org.token, body: { gracePeriodSeconds: 300 } });
    expect(rolled.status).toBe(201);
    expect(rolled.body.id).toBe(created.id);
    expect(rolled.body.secret).not.toBe(created.secret);
    expect((await whoami(t, created.secret)).status).toBe(200);
    expect((await whoami(t, rolled.body.secret)).status).toBe(200);
    t.clock.advance(301);
    expect((await whoami(t, created.secret)).body.error.reason).toBe("EXPIRED");
    expect((await whoami(t, rolled.body.secret)).status).toBe(200);
  });

  test("a key says when its current secret was issued: at creation, then at each roll; an update does not move it", async () => {
    t.clock.freeze();
    const created = await createKey();
    expect(created.secretIssuedAt).toBe(created.createdAt);
    t.clock.advance(3 * 86_400);
    await t.api("PATCH", `${keys()}/${created.id}`, { token: org.token, body: { description: "renamed" } });
    expect((await t.api("GET", `${keys()}/${created.id}`, { token: org.token })).body.secretIssuedAt).toBe(created.createdAt);
    t.clock.advance(86_400);
    const rolled = await t.api("POST", `${keys()}/${created.id}/roll`, { token: org.token, body: { gracePeriodSeconds: 60 } });
    expect(rolled.body.secretIssuedAt).toBe(t.clock.now().toISOString());
    const listed = (await t.api("GET", keys(), { token: org.token })).body.items.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ createdAt: created.createdAt, secretIssuedAt: rolled.body.secretIssuedAt });
  });

  test("a database from before secretIssuedAt: the upgrade fills it in from each key's newest secret", async () => {
    const fresh = await freshDatabaseUrl(kind);
    try {
      const before = await startTestServer(kind, { databaseUrl: fresh.url });
      const owner = await before.createOrganization();
      const path = `/v1/organizations/${owner.id}/keys`;
      const created = (await before.api("POST", path, { token: owner.token, body: { displayName: "old" } })).body;
      before.clock.advance(86_400);
      const rolled = (await before.api("POST", `${path}/${created.id}/roll`, { token: owner.token, body: { gracePeriodSeconds: 60 } })).body;
      await before.close();
      // The database as migration 0004 left it: no such column, no record of 0005.
      const database = await openDatabase(fresh.url);
      await sql`alter table keys drop column secret_issued_at`.execute(database.db);
      await sql`delete from kysely_migration where name = '0005_key_secret_issued_at'`.execute(database.db);
      await database.close();
      const after = await startTestServer(kind, { databaseUrl: fresh.url });
      try {
        const answer = await after.api("GET", `${path}/${created.id}`, { token: owner.token });
        expect(answer.body).toMatchObject({ createdAt: created.createdAt, secretIssuedAt: rolled.secretIssuedAt });
        expect(rolled.secretIssuedAt).not.toBe(created.createdAt);
      } finally {
        await after.close();
      }
    } finally {
      await fresh.drop();
    }
  });

  test("a lifetime sets the expiry from the issue time and each roll moves it; a key past it stops verifying", async () => {
    const issuedAt = t.clock.now().getTime();
    const created = await createKey({ lifetime: "P30D" });
    expect(created.lifetime).toBe("P30D");
    expect(Date.parse(created.expiresAt as string) - issuedAt).toBeGreaterThanOrEqual(30 * 86_400_000 - 1000);
    expect(Date.parse(created.expiresAt as string) - issuedAt).toBeLessThan(30 * 86_400_000 + 5000);
    t.clock.advance(20 * 86_400);
    const rolled = await t.api("POST", `${keys()}/${created.id}/roll`, { token: org.token, body: { gracePeriodSeconds: 60 } });
    expect(Date.parse(rolled.body.expiresAt) - t.clock.now().getTime()).toBeGreaterThanOrEqual(30 * 86_400_000 - 5000);
    expect((await t.api("GET", `${keys()}/${created.id}`, { token: org.token })).body.expiresAt).toBe(rolled.body.expiresAt);
    t.clock.advance(31 * 86_400);
    expect((await whoami(t, rolled.body.secret)).body.error.reason).toBe("EXPIRED");
    // One or the other: a fixed date and a lifetime would contradict each other.
    const both = await t.api("POST", keys(), { token: org.token, body: { displayName: "k", lifetime: "P30D", expiresAt: "2099-01-01T00:00:00Z" } });
    expect(both.status).toBe(400);
    expect(both.body.error).toMatchObject({ field: "lifetime", message: expect.stringContaining("either expiresAt") });
    const malformed = await t.api("POST", keys(), { token: org.token, body: { displayName: "k", lifetime: "30 days" } });
    expect(malformed.body.error).toMatchObject({ field: "lifetime", message: "lifetime: must be an ISO-8601 duration such as P90D or P1M" });
  });

  test("delete with a grace period keeps the key working until then", async () => {
    const created = await createKey();
    const scheduled = await t.api("DELETE", `${keys()}/${created.id}?gracePeriodSeconds=120`, { token: org.token });
    expect(scheduled.body.status).toBe("revoking");
    expect((await whoami(t, created.secret)).status).toBe(200);
    t.clock.advance(121);
    expect((await whoami(t, created.secret)).body.error.reason).toBe("REVOKED");
    expect((await t.api("GET", keys(), { token: org.token })).body.items).toHaveLength(0);
  });

  test("a retried create with the same Idempotency-Key returns the same key, without the secret", async () => {
    const headers = { "Idempotency-Key": "create-search-1" };
    const first = await createKey({}, headers);
    const retry = await t.api("POST", keys(), { token: org.token, body: { displayName: "search", privileges: [searchPrivilege] }, headers });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id: first.id, idempotentReplay: true });
    expect(retry.body.secret).toBeUndefined();
    const reused = await t.api("POST", keys(), { token: org.token, body: { displayName: "other" }, headers });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect((await t.api("GET", keys(), { token: org.token })).body.items).toHaveLength(1);
  });

  test("update changes only what it is given, and the audit log records each change without secrets", async () => {
    const created = await createKey({ description: "v1" });
    const updated = await t.api("PATCH", `${keys()}/${created.id}`, {
      token: org.token,
      body: { privileges: [searchPrivilege, { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW", targetIds: ["b", "a"] }] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.description).toBe("v1");
    expect(updated.body.privileges).toContainEqual({ owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW", targetIds: ["a", "b"] });
    await t.api("DELETE", `${keys()}/${created.id}`, { token: org.token });
    const audit = await t.api("GET", `/v1/organizations/${org.id}/audit`, { token: org.token });
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      "organization.create",
      "token.create",
      "key.create",
      "key.update",
      "key.revoke",
    ]);
    expect(audit.body.items[3].details.privileges.to).toHaveLength(2);
    expect(audit.text).not.toContain(created.secret);
  });

  test("list paginates with a cursor and filters by environment and enabled", async () => {
    for (let i = 0; i < 5; i++) await createKey({ displayName: `k${i}`, environment: i % 2 ? "live" : "test", enabled: i !== 4 });
    const page1 = await t.api("GET", `${keys()}?limit=2`, { token: org.token });
    const page2 = await t.api("GET", `${keys()}?limit=2&cursor=${page1.body.nextCursor}`, { token: org.token });
    const page3 = await t.api("GET", `${keys()}?limit=2&cursor=${page2.body.nextCursor}`, { token: org.token });
    expect([...page1.body.items, ...page2.body.items, ...page3.body.items].map((k: { displayName: string }) => k.displayName)).toEqual([
      "k0",
      "k1",
      "k2",
      "k3",
      "k4",
    ]);
    expect(page3.body.nextCursor).toBeNull();
    expect((await t.api("GET", `${keys()}?environment=live`, { token: org.token })).body.items).toHaveLength(2);
    expect((await t.api("GET", `${keys()}?enabled=false`, { token: org.token })).body.items.map((k: { displayName: string }) => k.displayName)).toEqual(["k4"]);
  });

  test("a warm verify reads no database; a revoke on this server applies at once, one on another replica within the cache time", async () => {
    const created = await createKey();
    const metrics = async () => (await t.api("GET", "/v1/metrics", { token: t.rootToken })).body;
    await whoami(t, created.secret);
    await whoami(t, created.secret); // the first verify also wrote last_used_at
    const before = await metrics();
    for (let i = 0; i < 20; i++) expect((await whoami(t, created.secret)).status).toBe(200);
    const after = await metrics();
    expect(after.databaseQueries - before.databaseQueries).toBe(0);
    expect(after.verifyCache.hits - before.verifyCache.hits).toBe(20);

    await t.api("PATCH", `${keys()}/${created.id}`, { token: org.token, body: { enabled: false } });
    expect((await whoami(t, created.secret)).body.error.reason).toBe("DISABLED");

    // A revoke through another replica on the same database is seen once the cached entry ages out (5 s).
    const other = await createKey();
    expect((await whoami(t, other.secret)).status).toBe(200);
    const replica = await startServer({ databaseUrl: t.databaseUrl, rootToken: t.rootToken, log: () => undefined, now: t.clock.now });
    try {
      expect((await callApi(replica.url, "DELETE", `${keys()}/${other.id}`, { token: org.token })).status).toBe(200);
      expect((await whoami(t, other.secret)).status).toBe(200);
      t.clock.advance(6);
      expect((await whoami(t, other.secret)).body.error.reason).toBe("REVOKED");
    } finally {
      await replica.close();
    }
  });

  test("organization tokens: more can be issued, and each works", async () => {
    const issued = await t.api("POST", `/v1/organizations/${org.id}/tokens`, { token: org.token });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^at_/);
    expect((await t.api("GET", keys(), { token: issued.body.token })).status).toBe(200);
    expect((await t.api("GET", keys(), { token: "at_nope" })).status).toBe(401);
    expect((await t.api("GET", keys())).status).toBe(401);
  });
});
