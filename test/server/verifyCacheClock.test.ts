import { startServerWithOrganization, whoami, type TestOrganization } from "../helpers/fixtures";
import { startTestServer, type DatabaseKind, type TestServer } from "../helpers/testServer";

/**
 * The verify cache on a replica whose clock ran ahead and was put right. An entry kept "until now +
 * ttl" by the clock an hour ahead stayed fresh for that hour after the correction, so a key revoked
 * through another replica went on verifying there, where docs/RELIABILITY.md promises refusal within
 * the cache's bound (5 s by default). An entry cached at a time after the clock's now is stale.
 */
const HOUR = 3600;

describe.each<DatabaseKind>(["sqlite", "postgres"])("the verify cache on a replica whose clock ran an hour ahead, on %s", (kind) => {
  let a: TestServer;
  let b: TestServer | undefined;
  let org: TestOrganization;
  beforeEach(async () => {
    ({ t: a, org } = await startServerWithOrganization(kind));
    // Replica B: the same database, its own clock.
    b = await startTestServer(kind, { databaseUrl: a.databaseUrl, rootToken: a.rootToken });
    a.clock.freeze();
    b.clock.freeze();
  });
  afterEach(async () => {
    await b?.close();
    await a.close();
  });

  test("a key revoked through replica A is refused by B within the cache's bound after B's clock is put right", async () => {
    const replicaB = b!;
    const key = (await a.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "checkout" } })).body;
    replicaB.clock.advance(HOUR);
    expect((await whoami(replicaB, key.secret)).status).toBe(200);
    replicaB.clock.advance(-HOUR);
    expect((await a.api("DELETE", `/v1/organizations/${org.id}/keys/${key.id}`, { token: org.token })).status).toBe(200);
    // Past the default bound (5 s) on both clocks.
    a.clock.advance(6);
    replicaB.clock.advance(6);
    expect((await whoami(a, key.secret)).body.error.reason).toBe("REVOKED");
    // Before the fix: 200 for the hour B's clock had been ahead.
    const fromB = await whoami(replicaB, key.secret);
    expect({ status: fromB.status, reason: fromB.body.error?.reason }).toEqual({ status: 401, reason: "REVOKED" });
  });

  test("a key verified while B's clock ran ahead still verifies after the correction, read afresh", async () => {
    const replicaB = b!;
    const key = (await a.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "checkout" } })).body;
    replicaB.clock.advance(HOUR);
    expect((await whoami(replicaB, key.secret)).status).toBe(200);
    replicaB.clock.advance(-HOUR);
    const again = await whoami(replicaB, key.secret);
    expect({ status: again.status, keyId: again.body.keyId }).toEqual({ status: 200, keyId: key.id });
  });
});
