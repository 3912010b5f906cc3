import { startServer, type RunningServer } from "../../server/index";
import { callApi, freshDatabaseUrl } from "../helpers/testServer";

describe("two replicas on one PostgreSQL", () => {
  test("start together, then under concurrent creates and revokes lose no key and make no duplicate", async () => {
    const database = await freshDatabaseUrl("postgres");
    const rootToken = "rt_replicas_test_root_token_0123456789";
    const logs: string[] = [];
    let replicas: RunningServer[] = [];
    try {
      // Both run migrations at the same moment against an empty database.
      replicas = await Promise.all(
        [0, 1].map(() => startServer({ databaseUrl: database.url, rootToken, log: (l) => logs.push(JSON.stringify(l)), rateLimitPerSecond: 0 })),
      );
      const [a, b] = replicas.map((r) => r.url);
      const org = (await callApi(a, "POST", "/v1/organizations", { token: rootToken, body: { name: "acme" } })).body;
      const path = `/v1/organizations/${org.id}/keys`;

      // 60 logical creates, each sent to both replicas at once with the same Idempotency-Key (a client
      // retrying on another replica after a lost response), 4 at a time.
      const logical = Array.from({ length: 60 }, (_, i) => `create-${i}`);
      const idsByRequest = new Map<string, Set<string>>();
      const secrets = new Map<string, number>();
      for (let i = 0; i < logical.length; i += 4) {
        await Promise.all(
          logical.slice(i, i + 4).flatMap((idem) =>
            [a, b].map(async (url) => {
              const answer = await callApi(url, "POST", path, { token: org.token, body: { displayName: idem }, headers: { "Idempotency-Key": idem } });
              expect([200, 201]).toContain(answer.status);
              if (!idsByRequest.has(idem)) idsByRequest.set(idem, new Set());
              idsByRequest.get(idem)!.add(answer.body.id);
              if (answer.body.secret) secrets.set(idem, (secrets.get(idem) ?? 0) + 1);
            }),
          ),
        );
      }
      for (const idem of logical) {
        expect(idsByRequest.get(idem)!.size).toBe(1);
        expect(secrets.get(idem)).toBe(1);
      }

      // Revoke every third key, each revoke sent to both replicas at once.
      const ids = logical.map((idem) => [...idsByRequest.get(idem)!][0]);
      const revoked = ids.filter((_, i) => i % 3 === 0);
      await Promise.all(revoked.flatMap((id) => [a, b].map((url) => callApi(url, "DELETE", `${path}/${id}`, { token: org.token }))));

      const listed: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = (await callApi(b, "GET", `${path}?limit=25${cursor ? `&cursor=${cursor}` : ""}`, { token: org.token })).body;
        listed.push(...page.items.map((k: { id: string }) => k.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(listed.sort()).toEqual(ids.filter((id) => !revoked.includes(id)).sort());
      const audit = (await callApi(a, "GET", `/v1/organizations/${org.id}/audit?limit=500`, { token: org.token })).body.items;
      expect(audit.filter((e: { action: string }) => e.action === "key.create")).toHaveLength(60);
      expect(audit.filter((e: { action: string }) => e.action === "key.revoke")).toHaveLength(revoked.length);
      expect(logs.filter((l) => l.includes('"status":500'))).toEqual([]);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      await database.drop();
    }
  }, 60_000);
});
