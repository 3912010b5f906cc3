import { startServer, type RunningServer } from "../../server/index";
import { EngineStack } from "../helpers/engine";
import { whoami } from "../helpers/fixtures";
import { callApi, freshDatabaseUrl } from "../helpers/testServer";
import { waitUntil } from "../helpers/waitUntil";

jest.setTimeout(300_000);

/** The key server restarts while `pulumi up` is creating 50 keys: the up still ends with exactly those 50. */
test("a server restart in the middle of an up leaves no orphaned and no duplicated key", async () => {
  const database = await freshDatabaseUrl("sqlite");
  const rootToken = "rt_restart_test_root_token_0123456789";
  const logs: string[] = [];
  const start = (port = 0) => startServer({ databaseUrl: database.url, rootToken, port, log: (l) => logs.push(JSON.stringify(l)) });
  /** How many key creates reached the server. */
  const creates = () => logs.filter((l) => l.includes('"method":"POST"') && l.includes("/keys")).length;
  let server: RunningServer = await start();
  const port = server.port;
  const org = (await callApi(server.url, "POST", "/v1/organizations", { token: rootToken, body: { name: "acme" } })).body;
  // The retry budget must outlast the restart: with full jitter, 6 attempts from a 50 ms base can all
  // land within a few hundred milliseconds; the default base (250 ms) and 10 attempts cannot.
  const stack = await EngineStack.create({
    name: "restart",
    endpoint: server.url,
    organizationId: org.id,
    token: org.token,
    env: { APIKEYS_RETRY_BASE_MS: "250", APIKEYS_MAX_ATTEMPTS: "10" },
  });
  try {
    stack.keys = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key-${i}`, { description: `key ${i}` }]));
    const up = stack.up({ parallel: 8 });
    // Restart once some keys exist and more are on their way.
    await waitUntil("10 key creates at the server", () => creates() >= 10, { timeoutMs: 120_000 });
    await server.close();
    const createsBeforeRestart = creates();
    // Down for a moment: creates in flight meet a closed port and are retried.
    await new Promise((r) => setTimeout(r, 300));
    server = await start(port);
    const result = await up;
    expect(createsBeforeRestart).toBeLessThan(50);
    expect(result.summary.resourceChanges).toEqual({ create: 51 });

    const listed = (await callApi(server.url, "GET", `/v1/organizations/${org.id}/keys?limit=200`, { token: org.token })).body.items.map(
      (k: { id: string }) => k.id,
    );
    const inState = Object.entries(result.outputs)
      .filter(([n]) => n.endsWith(".keyId"))
      .map(([, o]) => o.value);
    expect(listed).toHaveLength(50);
    expect([...listed].sort()).toEqual([...inState].sort());
    for (const [name, output] of Object.entries(result.outputs)
      .filter(([n]) => n.endsWith(".secret"))
      .slice(0, 5)) {
      const who = await whoami(server, output.value);
      expect(who.body.keyId).toBe(result.outputs[name.replace(".secret", ".keyId")].value);
    }
  } finally {
    await stack.dispose();
    await server.close();
    await database.drop();
  }
});
