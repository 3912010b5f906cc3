import { startServerWithOrganization, type TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";

/**
 * A key revoked, then the same create (same Idempotency-Key, same body) sent many times at once:
 * the server may make one new key, never two. Before the fix, PostgreSQL ended 1 to 10 rounds in
 * 20 with two live keys (each answered with a secret) and 500s.
 */
describe.each(["postgres", "sqlite"] as const)("concurrent creates replaying a revoked key's Idempotency-Key (%s)", (kind) => {
  let t: TestServer;
  let org: TestOrganization;
  beforeAll(async () => ({ t, org } = await startServerWithOrganization(kind, { rateLimitPerSecond: 0 })));
  afterAll(async () => t.close());

  test("20 rounds of 20 simultaneous creates: exactly one live key each round, every other answer a replay or 409, never a 500", async () => {
    const path = `/v1/organizations/${org.id}/keys`;
    for (let round = 0; round < 20; round++) {
      const idem = `race-${round}`;
      const body = { displayName: `raced ${round}` };
      const first = await t.api("POST", path, { token: org.token, body, headers: { "Idempotency-Key": idem } });
      expect(first.status).toBe(201);
      expect((await t.api("DELETE", `${path}/${first.body.id}`, { token: org.token })).status).toBe(200);

      const answers = await Promise.all(
        Array.from({ length: 20 }, () => t.api("POST", path, { token: org.token, body, headers: { "Idempotency-Key": idem } })),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => ![200, 201, 409].includes(s))).toEqual([]);
      expect(answers.filter((a) => a.body?.secret)).toHaveLength(1);
      const created = answers.find((a) => a.status === 201)!;
      for (const replay of answers.filter((a) => a.status === 200)) expect(replay.body.id).toBe(created.body.id);

      const live = (await t.api("GET", `${path}?limit=200`, { token: org.token })).body.items.filter(
        (k: { displayName: string }) => k.displayName === body.displayName,
      );
      expect(live.map((k: { id: string }) => k.id)).toEqual([created.body.id]);
    }
    expect(t.logs.filter((l) => l.includes('"status":500'))).toEqual([]);
  }, 120_000);
});
