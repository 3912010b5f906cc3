import * as grpc from "@grpc/grpc-js";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { PartialCreateError, type ApiKeyOutputs } from "../../provider";
import { apiKeyProviderService } from "../../provider/native/server";
import { revealed, type WireValue } from "../../provider/native/secrets";
import { FaultProxy } from "../helpers/faultProxy";
import { searchPrivilege } from "../helpers/fixtures";
import { providerFixture, type ProviderFixture } from "../helpers/providerFixture";

const URN = "urn:pulumi:prod::shop::apikeys:index:ApiKey::search";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/**
 * A create whose answer is lost is retried with the same Idempotency-Key and answered from the
 * idempotency record, without the secret; the provider then rolls the key for a secret of its own.
 * When that roll fails too, the key exists but is not finished: it must reach state (a partial
 * create), the next `up` must finish it, and `destroy` must delete it.
 */
describe("a key created but not finished (the roll after a lost create answer fails)", () => {
  let f: ProviderFixture;
  let proxy: FaultProxy;
  beforeEach(async () => {
    f = await providerFixture();
    proxy = await new FaultProxy(f.server.url).start();
    proxy.inject({ kind: "lose-response" }, { method: "POST", pathIncludes: "/keys" });
    // Every attempt of the roll (the fixture's retry budget is 6).
    proxy.inject({ kind: "status", status: 503 }, { method: "POST", pathIncludes: "/roll", times: 6 });
  });
  afterEach(async () => {
    await proxy.close();
    await f.close();
  });
  const liveKeys = async () =>
    ((await f.server.api("GET", `/v1/organizations/${f.org.id}/keys`, { token: f.org.token })).body.items as Array<{ id: string; status: string }>).filter(
      (k) => k.status !== "revoked",
    );

  test("the dynamic hooks throw PartialCreateError with the key's state; diff asks for an update (never a replace) that issues the secret", async () => {
    const p = f.provider({ endpoint: proxy.url });
    const inputs = await f.checked({ displayName: "search", privileges: [searchPrivilege] });
    const error = await p.create(inputs).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialCreateError);
    const partial = error as PartialCreateError;
    const [key] = await liveKeys();
    expect(partial.id).toBe(key.id);
    expect(partial.message).toMatch(
      new RegExp(`^API key ${key.id} was created but not finished: rolling API key "search" \\(${key.id}\\) failed after 6 attempts: 503`),
    );
    const stored = partial.properties as unknown as ApiKeyOutputs;
    expect(stored).toMatchObject({ keyId: key.id, secretAvailable: false, secretPending: true, displayName: "search", organizationId: f.org.id });
    expect(stored.secret).toBeUndefined();
    expect(JSON.stringify(partial.properties) + partial.message).not.toContain(f.org.token);

    // The next `up`: the engine diffs the partial state and runs an update.
    const diff = await p.diff(key.id, stored, inputs);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    const updated = await p.update(key.id, stored, inputs);
    expect(updated.outs).toMatchObject({ keyId: key.id, secretAvailable: true });
    expect(updated.outs!.secretPending).toBeUndefined();
    expect((await f.whoami(updated.outs!.secret!)).body.keyId).toBe(key.id);
    expect(await p.diff(key.id, updated.outs!, inputs)).toMatchObject({ changes: false });
    expect(await liveKeys()).toHaveLength(1);
  });

  test("a refresh keeps it waiting for its secret; a key adopted or imported without a secret is never rolled by diff", async () => {
    const p = f.provider({ endpoint: proxy.url });
    const inputs = await f.checked({ displayName: "search", privileges: [searchPrivilege] });
    const partial = (await p.create(inputs).catch((e: unknown) => e)) as PartialCreateError;
    const refreshed = await p.read(partial.id, partial.properties as unknown as ApiKeyOutputs);
    expect(refreshed.props).toMatchObject({ secretPending: true, secretAvailable: false });
    expect((await p.diff(partial.id, refreshed.props!, inputs)).changes).toBe(true);

    const imported = await p.read(partial.id, undefined);
    expect(imported.props).toMatchObject({ secretAvailable: false });
    expect(imported.props!.secretPending).toBeUndefined();
    expect(await p.diff(partial.id, imported.props!, { ...inputs, ...p.importedInputs(imported.props!) })).toMatchObject({ changes: false });
  });

  test("the native provider answers with Pulumi's ErrorResourceInitFailed detail (id, state with secrets wrapped, reasons) in an UNKNOWN status", async () => {
    const server = new grpc.Server();
    server.addService(provrpc.ResourceProviderService, apiKeyProviderService("0.0.0-test", f.provider({ endpoint: proxy.url })));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, bound) => (e ? reject(e) : resolve(bound))),
    );
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const inputs = await f.checked({ displayName: "search", privileges: [searchPrivilege], connection: { token: f.org.token } });
      const request = new provproto.CreateRequest();
      request.setUrn(URN);
      request.setProperties(structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(inputs))));
      const error = await new Promise<grpc.ServiceError>((resolve, reject) =>
        client.create(request, (e) => (e ? resolve(e) : reject(new Error("create succeeded")))),
      );
      expect(error.code).toBe(grpc.status.UNKNOWN);
      expect(error.details).toMatch(/was created but not finished/);
      const [raw] = error.metadata.get("grpc-status-details-bin");
      expect(raw).toBeInstanceOf(Buffer);
      const status = statusproto.Status.deserializeBinary(new Uint8Array(raw as Buffer));
      expect(status.getCode()).toBe(grpc.status.UNKNOWN);
      const [packed] = status.getDetailsList() as anyproto.Any[];
      expect(packed.getTypeName()).toBe("pulumirpc.ErrorResourceInitFailed");
      const detail = provproto.ErrorResourceInitFailed.deserializeBinary(packed.getValue_asU8());
      const [key] = await liveKeys();
      expect(detail.getId()).toBe(key.id);
      expect(detail.getReasonsList()).toEqual([error.details]);
      expect(error.details).toMatch(
        /failed after 6 attempts: 503 .*; the key is recorded in the stack: the next `pulumi up` finishes it, `pulumi destroy` deletes it$/,
      );
      const wire = detail.getProperties()!.toJavaScript() as Record<string, WireValue>;
      // The token given on the resource is kept as a Pulumi secret, never in plain text.
      expect((wire.connection as Record<string, WireValue>).token).toEqual({ [SIG_KEY]: expect.any(String), value: f.org.token });
      expect(revealed(wire)).toMatchObject({ keyId: key.id, secretPending: true, secretAvailable: false });
      expect(error.details).not.toContain(f.org.token);
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
