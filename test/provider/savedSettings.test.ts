import { createServer } from "node:net";
import type * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { ApiKeyProvider, KeyApiError } from "../../provider";
import { SAVED_SETTINGS_ADVICE } from "../../provider/errors";
import { apiKeyProviderService } from "../../provider/native/server";
import { secretValue } from "../../provider/native/secrets";
import { FaultProxy } from "../helpers/faultProxy";
import { providerFixture, type ProviderFixture } from "../helpers/providerFixture";

/** A loopback port nothing listens on: a key server that moved away. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * `pulumi refresh` and `pulumi destroy` configure the provider from the settings saved by the last
 * update. After the key server moved or the admin token was rotated, their read and delete fail:
 * the message says what to run, and a refused token is not retried.
 */
describe("read and delete that fail on stale connection settings say what to run", () => {
  let f: ProviderFixture;
  beforeEach(async () => {
    f = await providerFixture();
  });
  afterEach(async () => f.close());

  test("an endpoint nothing answers: the read and the delete name it and say to run `pulumi up` first or use --run-program", async () => {
    const created = await f.provider().create(await f.checked({ displayName: "search" }));
    const moved = new ApiKeyProvider({ env: { ...f.env, APIKEYS_ENDPOINT: await closedPort(), APIKEYS_MAX_ATTEMPTS: "2" } });
    const read = await moved.read(created.id, created.outs!).catch((e: unknown) => e);
    expect(read).toBeInstanceOf(KeyApiError);
    expect((read as KeyApiError).message).toMatch(
      /^reading API key "search" \(key_\w+\) failed after 2 attempts: could not reach the key API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); /,
    );
    expect((read as KeyApiError).message).toContain(SAVED_SETTINGS_ADVICE);
    const deleted = await moved.delete(created.id, created.outs!).catch((e: unknown) => e);
    expect((deleted as KeyApiError).message).toMatch(/^deleting API key "search" \(key_\w+\) failed after 2 attempts: could not reach the key API/);
    expect((deleted as KeyApiError).message).toContain("`pulumi destroy --run-program`");
  });

  test("a revoked token: one attempt, 401, the same advice, and the token in no message", async () => {
    const created = await f.provider().create(await f.checked({ displayName: "search" }));
    const proxy = await new FaultProxy(f.server.url).start();
    try {
      const revoked = new ApiKeyProvider({ env: { ...f.env, APIKEYS_ENDPOINT: proxy.url, APIKEYS_TOKEN: "at_revokedTokenValue123" } });
      const read = (await revoked.read(created.id, created.outs!).catch((e: unknown) => e)) as KeyApiError;
      expect(read.status).toBe(401);
      expect(read.message).toMatch(/^reading API key "search" \(key_\w+\) failed: 401 UNAUTHENTICATED: .*; if the key server moved or the admin token changed/);
      const deleted = (await revoked.delete(created.id, created.outs!).catch((e: unknown) => e)) as KeyApiError;
      expect(deleted.message).toContain(SAVED_SETTINGS_ADVICE);
      expect(proxy.seen.map((r) => r.method)).toEqual(["GET", "DELETE"]);
      expect(`${read.message}${deleted.message}${JSON.stringify(read)}`).not.toContain("at_revokedTokenValue123");
    } finally {
      await proxy.close();
    }
  });

  test("failures that stale settings do not cause, and creates, carry no such advice", async () => {
    const revoked = new ApiKeyProvider({ env: { ...f.env, APIKEYS_TOKEN: "at_revokedTokenValue123" } });
    const create = (await revoked.create(await f.checked({ displayName: "search" })).catch((e: unknown) => e)) as KeyApiError;
    expect(create.status).toBe(401);
    expect(create.message).not.toContain("--run-program");
    const proxy = await new FaultProxy(f.server.url).start();
    try {
      const created = await f.provider().create(await f.checked({ displayName: "search" }));
      proxy.inject({ kind: "status", status: 500 }, { method: "GET", times: 6 });
      const read = (await new ApiKeyProvider({ env: { ...f.env, APIKEYS_ENDPOINT: proxy.url } })
        .read(created.id, created.outs!)
        .catch((e: unknown) => e)) as KeyApiError;
      expect(read.status).toBe(500);
      expect(read.message).not.toContain("--run-program");
    } finally {
      await proxy.close();
    }
  });
});

/**
 * With DIFF_NONE from DiffConfig the engine keeps the provider it configured from the last update's
 * state: `refresh --run-program` and `destroy --run-program` then still used the old endpoint and
 * token with the native provider (measured: test/e2e/savedSettings.test.ts). A changed setting is
 * therefore an update of the provider, and never a replacement (that would replace every key).
 */
describe("the native provider's DiffConfig", () => {
  const service = apiKeyProviderService("0.0.0-test", new ApiKeyProvider({ env: {} }));
  const diffConfig = (olds: Record<string, unknown>, news: Record<string, unknown>) =>
    new Promise<provproto.DiffResponse>((resolve, reject) => {
      const request = new provproto.DiffRequest();
      request.setUrn("urn:pulumi:prod::shop::pulumi:providers:apikeys::default");
      request.setOldInputs(structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(olds))));
      request.setOlds(structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(olds))));
      request.setNews(structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(news))));
      const call = { request } as unknown as grpc.ServerUnaryCall<provproto.DiffRequest, provproto.DiffResponse>;
      service.diffConfig(call, (error, response) => (error ? reject(error) : resolve(response!)));
    });
  const base = { endpoint: "https://keys.example.com", organizationId: "org_a", token: secretValue("at_old"), version: "1.0.0" };

  test("a moved endpoint or a rotated token is an in-place update of the provider, never a replacement", async () => {
    const moved = await diffConfig(base, { ...base, endpoint: "https://keys.example.org" });
    expect(moved.getChanges()).toBe(provproto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(moved.getDiffsList()).toEqual(["endpoint"]);
    expect(moved.getReplacesList()).toEqual([]);
    const rotated = await diffConfig(base, { ...base, token: secretValue("at_new") });
    expect(rotated.getDiffsList()).toEqual(["token"]);
    expect(rotated.getReplacesList()).toEqual([]);
  });

  test("the same settings (a secret wrapped or not, another plugin version) are no change", async () => {
    const same = await diffConfig(base, { ...base, token: "at_old", version: "1.1.0" });
    expect(same.getChanges()).toBe(provproto.DiffResponse.DiffChanges.DIFF_NONE);
  });
});
