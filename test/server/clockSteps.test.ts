import { startServerWithOrganization, statusFrom, whoami, type TestOrganization } from "../helpers/fixtures";
import type { DatabaseKind, TestServer } from "../helpers/testServer";

/**
 * Issue 34: the server's clock runs ahead (a VM host's clock, a bad NTP source) and is put right.
 * The limits and the last-use bookkeeping kept the latest time they had ever seen, so for as long
 * as the clock had been ahead a caller within its rate got 429 and no use was recorded.
 */
const HOUR = 3600;
const DAY = 24 * HOUR;

describe("the limits when the server's clock runs ahead and is put right (reference server)", () => {
  let t: TestServer;
  let org: TestOrganization;
  afterEach(async () => t.close());

  test("an admin token at 3.3 requests/s against a 5/s limit is answered 200 throughout", async () => {
    ({ t, org } = await startServerWithOrganization("sqlite", { rateLimitPerSecond: 5 }));
    t.clock.freeze();
    const statuses: number[] = [];
    const request = async () => {
      statuses.push((await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: org.token })).status);
      t.clock.advance(0.3);
    };
    t.clock.advance(HOUR);
    for (let i = 0; i < 5; i++) await request();
    t.clock.advance(-HOUR);
    // Before the fix: 9 × 200, then 429 for the hour the clock had been ahead.
    for (let i = 0; i < 16; i++) await request();
    expect(statuses).toEqual(Array(21).fill(200));
  });

  test("a client retrying a wrong admin token within the refusal rate is told 401, not 429, after the correction", async () => {
    // One refusal per second, five in a burst.
    ({ t, org } = await startServerWithOrganization("sqlite", { failedVerifyRateLimitPerSecond: 1 }));
    t.clock.freeze();
    const statuses: number[] = [];
    const wrongToken = async () => {
      statuses.push(await statusFrom(t, "127.0.21.1", `/v1/organizations/${org.id}/keys`, { authorization: "Bearer at_wrong" }));
      t.clock.advance(2);
    };
    t.clock.advance(HOUR);
    for (let i = 0; i < 3; i++) await wrongToken();
    t.clock.advance(-HOUR);
    for (let i = 0; i < 10; i++) await wrongToken();
    expect(statuses).toEqual(Array(13).fill(401));
  });

  test("a guesser gains nothing from a step back, and at most one burst from a step back and forth", async () => {
    ({ t, org } = await startServerWithOrganization("sqlite", { failedVerifyRateLimitPerSecond: 1 }));
    t.clock.freeze();
    const guesses = async (count: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < count; i++)
        statuses.push(await statusFrom(t, "127.0.22.1", `/v1/organizations/${org.id}/keys`, { authorization: `Bearer at_guess${i}` }));
      return statuses.filter((s) => s === 401).length;
    };
    expect(await guesses(8)).toBe(5);
    t.clock.advance(-HOUR);
    expect(await guesses(8)).toBe(0);
    t.clock.advance(HOUR);
    expect(await guesses(8)).toBeLessThanOrEqual(5);
    expect(await guesses(8)).toBe(0);
  });
});

describe.each<DatabaseKind>(["sqlite", "postgres"])("last use when the clock ran 30 days ahead and was put right, on %s", (kind) => {
  let t: TestServer;
  let org: TestOrganization;
  beforeEach(async () => ({ t, org } = await startServerWithOrganization(kind)));
  afterEach(async () => t.close());

  test("a key's and an admin token's lastUsedAt from the future are corrected by their next use", async () => {
    t.clock.freeze();
    const key = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "checkout" } })).body;
    const token = (await t.api("POST", `/v1/organizations/${org.id}/tokens`, { token: org.token, body: { name: "ci-deploy" } })).body;
    const lastUses = async () => ({
      key: (await t.api("GET", `/v1/organizations/${org.id}/keys/${key.id}`, { token: org.token })).body.lastUsedAt,
      token: (await t.api("GET", `/v1/organizations/${org.id}/tokens`, { token: org.token })).body.items.find((x: { id: string }) => x.id === token.id)
        .lastUsedAt,
    });
    const use = async () => {
      expect((await whoami(t, key.secret)).status).toBe(200);
      expect((await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: token.token })).status).toBe(200);
    };

    t.clock.advance(30 * DAY);
    const ahead = t.clock.now().toISOString();
    await use();
    expect(await lastUses()).toEqual({ key: ahead, token: ahead });

    t.clock.advance(-30 * DAY + 300);
    const corrected = t.clock.now().toISOString();
    await use();
    // Before the fix both stayed 30 days ahead until the clock caught up.
    expect(await lastUses()).toEqual({ key: corrected, token: corrected });
  });
});
