import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import type { ApiKeyInputs, ApiKeyOutputs } from "../../provider";
import { apiKeyProviderService } from "../../provider/native/server";
import { plain, toStruct } from "../../provider/native/wire";
import type { BackendHarness, ProviderHooks } from "./harnesses";

const URN = "urn:pulumi:test::behaviour::apikeys:index:ApiKey::key";

function call<Req, Res>(method: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(new Error(error.details)) : resolve(response))));
}

/**
 * The same backend, driven through the native provider's gRPC service (provider/native/server.ts)
 * as the engine drives it: every hook's input and output crosses the wire as a protobuf Struct, with
 * secrets wrapped. The behaviour suite then runs over it unchanged.
 */
export async function overNative(start: Promise<BackendHarness>): Promise<BackendHarness> {
  const harness = await start;
  const server = new grpc.Server();
  server.addService(provrpc.ResourceProviderService, apiKeyProviderService("0.0.0-test", harness.provider() as never));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());

  const hooks: ProviderHooks = {
    async check(olds, news) {
      const request = new provproto.CheckRequest();
      request.setUrn(URN);
      request.setName("key");
      request.setOlds(toStruct(olds));
      request.setNews(toStruct(news));
      const response = await call<provproto.CheckRequest, provproto.CheckResponse>(client.check.bind(client), request);
      return {
        inputs: plain<ApiKeyInputs>(response.getInputs()),
        failures: response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      };
    },
    async diff(id, olds, news) {
      const request = new provproto.DiffRequest();
      request.setId(id);
      request.setUrn(URN);
      request.setOlds(toStruct(olds));
      request.setNews(toStruct(news));
      const response = await call<provproto.DiffRequest, provproto.DiffResponse>(client.diff.bind(client), request);
      return {
        changes: response.getChanges() === provproto.DiffResponse.DiffChanges.DIFF_SOME,
        replaces: response.getReplacesList(),
        deleteBeforeReplace: false,
      };
    },
    async create(inputs) {
      const request = new provproto.CreateRequest();
      request.setUrn(URN);
      request.setProperties(toStruct(inputs));
      const response = await call<provproto.CreateRequest, provproto.CreateResponse>(client.create.bind(client), request);
      return { id: response.getId(), outs: plain<ApiKeyOutputs>(response.getProperties()) };
    },
    async read(id, props) {
      const request = new provproto.ReadRequest();
      request.setId(id);
      request.setUrn(URN);
      request.setProperties(toStruct(props));
      const response = await call<provproto.ReadRequest, provproto.ReadResponse>(client.read.bind(client), request);
      return response.getId() ? { id: response.getId(), props: plain<ApiKeyOutputs>(response.getProperties()) } : { id: "" };
    },
    async update(id, olds, news) {
      const request = new provproto.UpdateRequest();
      request.setId(id);
      request.setUrn(URN);
      request.setOlds(toStruct(olds));
      request.setNews(toStruct(news));
      const response = await call<provproto.UpdateRequest, provproto.UpdateResponse>(client.update.bind(client), request);
      return { outs: plain<ApiKeyOutputs>(response.getProperties()) };
    },
    async delete(id, props) {
      const request = new provproto.DeleteRequest();
      request.setId(id);
      request.setUrn(URN);
      request.setProperties(toStruct(props));
      await call<provproto.DeleteRequest, unknown>(client.delete.bind(client), request);
    },
  };
  return {
    ...harness,
    provider: () => hooks,
    checked: async (news, olds = {}) => {
      const result = await hooks.check(olds, news);
      if (result.failures.length > 0) throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
      return result.inputs;
    },
    async close() {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await harness.close();
    },
  };
}
