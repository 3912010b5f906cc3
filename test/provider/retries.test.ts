import { KeyApiError } from "../../provider";
import { FaultProxy } from "../helpers/faultProxy";
import { providerFixture, type ProviderFixture } from "../helpers/providerFixture";

describe("provider retries through a fault-injecting proxy", () => {
  let f: ProviderFixture;
  let proxy: FaultProxy;
  beforeEach(async () => {
    f = await providerFixture();
    proxy = await new FaultProxy(f.server.url).start();
  });
  afterEach(async () => {
    await proxy.close();
    await f.close();
  });

  const keysOnServer = async () => (await f.server.api("GET", `/v1/organizations/${f.org.id}/keys`, { token: f.org.token })).body.items as any[];

  test("a create whose response is lost ends with exactly one key, whose secret in state works", async () => {
    proxy.inject({ kind: "lose-response" }, { method: "POST", pathIncludes: "/keys" });
    const created = await f.provider({ endpoint: proxy.url }).create(await f.checked({ displayName: "search" }));
    expect(await keysOnServer()).toHaveLength(1);
    expect((await keysOnServer())[0].id).toBe(created.id);
    // The replayed create carried no secret, so the provider rolled the untouched key for a fresh one.
    expect(proxy.seen.filter((r) => r.method === "POST").map((r) => r.path.split("/").pop())).toEqual(["keys", "keys", "roll"]);
    expect((await f.whoami(created.outs!.secret!)).body.keyId).toBe(created.id);
  });

  test("429 with Retry-After and a 5xx burst succeed after backoff", async () => {
    proxy.inject({ kind: "status", status: 429, retryAfter: "1" }, { method: "POST" });
    proxy.inject({ kind: "status", status: 503 }, { method: "POST", times: 2 });
    proxy.inject({ kind: "reset" }, { method: "POST" });
    const started = Date.now();
    const created = await f.provider({ endpoint: proxy.url }).create(await f.checked({ displayName: "search" }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(proxy.seen.map((r) => r.fault ?? "ok")).toEqual(["status", "status", "status", "reset", "ok"]);
    expect(await keysOnServer()).toHaveLength(1);
    expect(created.outs!.secret).toBeDefined();
  });

  test("past the retry budget the error says how many attempts were made and what the server said", async () => {
    proxy.inject({ kind: "status", status: 503, body: { error: { code: "UNAVAILABLE", message: "maintenance" } } }, { method: "POST", times: 100 });
    const error = await f
      .provider({ endpoint: proxy.url })
      .create(await f.checked({ displayName: "search" }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(KeyApiError);
    expect(error.message).toBe('creating API key "search" failed after 6 attempts: 503 UNAVAILABLE: maintenance');
    expect(proxy.seen).toHaveLength(6);
    expect(await keysOnServer()).toHaveLength(0);
  });

  test("a delete whose response is lost is retried and never reports success for a key that still exists", async () => {
    const created = await f.provider().create(await f.checked({ displayName: "search" }));
    proxy.inject({ kind: "lose-response" }, { method: "DELETE" });
    proxy.inject({ kind: "status", status: 502 }, { method: "DELETE" });
    await f.provider({ endpoint: proxy.url }).delete(created.id, created.outs!);
    expect(await keysOnServer()).toHaveLength(0);
    expect(proxy.seen.filter((r) => r.method === "DELETE")).toHaveLength(3);

    const kept = await f.provider().create(await f.checked({ displayName: "kept" }));
    proxy.inject({ kind: "status", status: 500 }, { method: "DELETE", times: 100 });
    await expect(f.provider({ endpoint: proxy.url }).delete(kept.id, kept.outs!)).rejects.toThrow(
      /^deleting API key "kept" \(key_\w+\) failed after 6 attempts: 500/,
    );
    expect((await keysOnServer()).map((k) => k.id)).toEqual([kept.id]);
  });

  test("an unreachable API fails with the endpoint named and no token", async () => {
    await proxy.close();
    const error = await f
      .provider({ endpoint: proxy.url })
      .create(await f.checked({ displayName: "search" }))
      .catch((e) => e);
    expect(error.message).toBe(`creating API key "search" failed after 6 attempts: could not reach the key API at ${proxy.url} (ECONNREFUSED)`);
    expect(error.message).not.toContain(f.org.token);
  });
});
