import { startServerAndStack } from "../helpers/engineFixture";
import { searchPrivilege } from "../helpers/fixtures";
import type { DatabaseKind } from "../helpers/testServer";

jest.setTimeout(600_000);

const KEYS = 500;

/** One stack with 500 keys, `up` at parallelism 16, on each database: all created, then nothing to do. */
describe.each<DatabaseKind>(["sqlite", "postgres"])("500 keys on %s", (kind) => {
  test("up creates every key once; the next up changes nothing and makes no mutating call", async () => {
    // No intermediate checkpoints: this test is about the provider and the server under 500 keys, and
    // the file backend rewrites the whole state after each step (quadratic: 46 s an `up` against 8.6 s).
    // The final state is still written; crash.test is the one about checkpoints.
    const { server, org, stack, close } = await startServerAndStack({
      name: `load-${kind}`,
      database: kind,
      server: { rateLimitPerSecond: 0 },
      env: { PULUMI_SKIP_CHECKPOINTS: "true" },
    });
    try {
      stack.keys = Object.fromEntries(Array.from({ length: KEYS }, (_, i) => [`key-${i}`, { description: `load key ${i}`, privileges: [searchPrivilege] }]));
      const first = await stack.up({ parallel: 16 });
      expect(first.summary.resourceChanges).toEqual({ create: KEYS + 1 });

      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = (await server.api("GET", `/v1/organizations/${org.id}/keys?limit=200${cursor ? `&cursor=${cursor}` : ""}`, { token: org.token }))
          .body;
        ids.push(...page.items.map((k: { id: string }) => k.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(ids).size).toBe(KEYS);
      const outputIds = new Set(
        Object.entries(first.outputs)
          .filter(([n]) => n.endsWith(".keyId"))
          .map(([, o]) => o.value),
      );
      expect([...outputIds].sort()).toEqual([...ids].sort());

      const mutating = () => server.logs.map((l) => JSON.parse(l)).filter((l) => l.method && l.method !== "GET" && String(l.path).includes("/keys")).length;
      const before = mutating();
      const second = await stack.up({ parallel: 16 });
      expect(second.summary.resourceChanges).toEqual({ same: KEYS + 1 });
      expect(mutating()).toBe(before);
      expect(before).toBe(KEYS);
    } finally {
      await close();
    }
  });
});
