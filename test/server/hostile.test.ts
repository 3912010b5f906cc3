import fc from "fast-check";
import { startServerWithOrganization, verifyFrom, type TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";

const guess = (prefix: string, i: number) => `${prefix}${i.toString().padStart(24, "0")}zzzzzz`;

describe("hostile input", () => {
  let t: TestServer;
  let org: TestOrganization;
  beforeEach(async () => ({ t, org } = await startServerWithOrganization("sqlite", { rateLimitPerSecond: 0 })));
  afterEach(async () => t.close());

  /** Every key and every audit entry of the organization: what a refused request must leave as it was. */
  const snapshot = async () =>
    JSON.stringify([
      (await t.api("GET", `/v1/organizations/${org.id}/keys?limit=200`, { token: org.token })).body,
      (await t.api("GET", `/v1/organizations/${org.id}/audit?limit=500`, { token: org.token })).body,
    ]);

  test("guessing keys from one address is cut off after the burst; a right key from there still verifies", async () => {
    const real = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "real" } })).body;
    const statuses: number[] = [];
    // The server's clock stands still while the 100 guesses run: the default burst is 50, then 429s.
    t.clock.freeze();
    for (let i = 0; i < 100; i++) statuses.push(await verifyFrom(t, "127.0.0.2", guess(`ak_test_G${i % 10}`, i)));
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(50).every((s) => s === 429)).toBe(true);
    expect(await verifyFrom(t, "127.0.0.2", real.secret)).toBe(200);
    // The bucket refills at 10 a second of the server's clock: one second later, 10 more guesses are answered 401.
    t.clock.advance(1);
    const afterASecond: number[] = [];
    for (let i = 100; i < 111; i++) afterASecond.push(await verifyFrom(t, "127.0.0.2", guess(`ak_test_H${i % 10}`, i)));
    expect(afterASecond).toEqual([...Array<number>(10).fill(401), 429]);
    expect(await verifyFrom(t, "127.0.0.3", real.secret)).toBe(200);
  });

  test("guessing one key prefix from many addresses is cut off per prefix", async () => {
    const statuses: number[] = [];
    t.clock.freeze();
    for (let i = 0; i < 100; i++) statuses.push(await verifyFrom(t, `127.0.1.${i + 1}`, guess("ak_live_Targ", i)));
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(50).every((s) => s === 429)).toBe(true);
    expect(await verifyFrom(t, "127.0.2.1", guess("ak_live_Othr", 0))).toBe(401);
  });

  test("oversized headers are refused before any handler runs", async () => {
    const answer = await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: org.token, headers: { "x-padding": "x".repeat(20_000) } });
    expect(answer.status).toBe(431);
  });

  test("random request bodies never cause a 500 and a refused one changes nothing", async () => {
    const key = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "kept" } })).body;
    const fieldValue = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.anything(), { maxLength: 3 }),
      fc.object({ maxDepth: 2 }),
    );
    const body = fc.oneof(
      fc.anything(),
      fc.record(
        {
          displayName: fieldValue,
          environment: fc.oneof(fc.constantFrom("live", "test"), fieldValue),
          privileges: fc.oneof(fieldValue, fc.array(fc.record({ owner: fieldValue, targetDomain: fieldValue, type: fieldValue }), { maxLength: 3 })),
          expiresAt: fieldValue,
          enabled: fieldValue,
        },
        { requiredKeys: [] },
      ),
    );
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("POST create", "PATCH update", "POST roll"), body, async (route, value) => {
        const path =
          route === "POST create"
            ? `/v1/organizations/${org.id}/keys`
            : route === "PATCH update"
              ? `/v1/organizations/${org.id}/keys/${key.id}`
              : `/v1/organizations/${org.id}/keys/${key.id}/roll`;
        const before = await snapshot();
        const answer = await t.api(route.split(" ")[0], path, {
          token: org.token,
          rawBody: JSON.stringify(value) ?? "",
          headers: { "content-type": "application/json" },
        });
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) {
          refused++;
          expect(answer.body.error.message).toEqual(expect.any(String));
          expect(await snapshot()).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
    expect(refused).toBeGreaterThan(50);
    expect(t.logs.filter((l) => l.includes('"status":500'))).toEqual([]);
  }, 60_000);

  test("random query strings never cause a 500 and a refused one changes nothing", async () => {
    const key = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "q", environment: "live", privileges: [] } }))
      .body;
    const name = fc.oneof(
      fc.constantFrom("limit", "cursor", "environment", "enabled", "gracePeriodSeconds", "keyId", "__proto__", "constructor"),
      fc.string({ maxLength: 12 }),
    );
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.integer().map(String),
      fc.double().map(String),
      fc.constantFrom("-1", "1e309", "NaN", "true", "", "%00", "%ZZ", "9".repeat(400)),
    );
    const query = fc.array(fc.tuple(name, value), { maxLength: 4 });
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("GET list", "GET audit", "DELETE key", "GET key"), query, async (route, pairs) => {
        const search = pairs.map(([n, v]) => `${encodeURIComponent(n)}=${v.startsWith("%") ? v : encodeURIComponent(v)}`).join("&");
        const base =
          route === "GET list"
            ? `/v1/organizations/${org.id}/keys`
            : route === "GET audit"
              ? `/v1/organizations/${org.id}/audit`
              : `/v1/organizations/${org.id}/keys/${key.id}`;
        const before = await snapshot();
        const answer = await t.api(route.split(" ")[0], `${base}?${search}`, { token: org.token });
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400) {
          refused++;
          expect(answer.body.error.message).toEqual(expect.any(String));
          expect(await snapshot()).toBe(before);
        } else if (route === "DELETE key") {
          // A valid revoke happened: put a fresh key in place for the next run.
          Object.assign(
            key,
            (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "q", environment: "live", privileges: [] } }))
              .body,
          );
        }
      }),
      { numRuns: 200 },
    );
    expect(refused).toBeGreaterThan(40);
    expect(t.logs.filter((l) => l.includes('"status":500'))).toEqual([]);
  }, 60_000);
});
