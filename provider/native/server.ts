import * as grpc from "@grpc/grpc-js";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import type * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { messageOf } from "../../shared/caught";
import { PartialCreateError } from "../errors";
import { ApiKeyProvider } from "../apiKeyProvider";
import type { ProviderConfig } from "../connection/resolvedConnection";
import { CONFIG_NAMESPACE, CONNECTION_SETTING_NAMES, providerConfigFrom } from "../connection/settings";
import { declarationFromUrn } from "../keyState/declaration";
import type { ApiKeyInputs, ApiKeyOutputs } from "../keyState/inputs";
import { SECRET_OUTPUTS } from "../keyState/outputs";
import { stableJson } from "../keyState/stableJson";
import { fieldsOf } from "../records";
import { packageSchemaJson } from "./schemaJson";
import { outputSecretPaths } from "./derivedSecrets";
import { revealedFields, secretPaths, withSecretPaths, type SecretPath } from "./secrets";
import { fromStruct, plain, toStruct } from "./wire";

/** Where a dynamic resource's state holds its serialized provider. */
const DYNAMIC_PROVIDER_PROPERTY = "__provider";

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** Inputs as the engine should keep them: each value that arrived secret marked again, and a token given on the resource always. */
function inputsOnWire(inputs: object, secretInputs: readonly SecretPath[]): structproto.Struct {
  return toStruct(withSecretPaths(fieldsOf(inputs), [...secretInputs, ["connection", "token"]]));
}

/**
 * A key's state as the engine should keep it: the secret outputs, a token given on the resource, and
 * every output made from an input that arrived secret, wrapped as secrets. The engine trusts a
 * provider that accepts secrets to mark them: anything returned unmarked is stored in plain text.
 */
function outputsOnWire(outs: object, secretInputs: readonly SecretPath[]): structproto.Struct {
  const paths = [...outputSecretPaths(secretInputs), ...SECRET_OUTPUTS.map((name) => [name]), ["connection", "token"]];
  return toStruct(withSecretPaths(fieldsOf(outs), paths));
}

/** Where secrets sit in a request's property Struct. */
function secretsIn(struct: structproto.Struct | undefined): SecretPath[] {
  return secretPaths(fromStruct(struct));
}

/**
 * A hook's failure as the engine shows it: the message (which never holds a secret), as UNKNOWN.
 * A key that was created but not finished (PartialCreateError) also carries Pulumi's
 * `ErrorResourceInitFailed` detail with its id and state, packed as @pulumi/pulumi's own provider
 * server and the dynamic-provider host do (status details in `grpc-status-details-bin`): the engine
 * then records the key as a partially created resource instead of losing it, the next `up` finishes
 * it and `destroy` deletes it. Without the detail a plain UNKNOWN leaves nothing in state: an orphan.
 */
function failure(error: unknown, secretInputs: readonly SecretPath[] = []): grpc.ServiceError {
  const message = messageOf(error);
  const metadata = new grpc.Metadata();
  if (error instanceof PartialCreateError) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(error.id);
    detail.setProperties(outputsOnWire(error.properties, secretInputs));
    detail.setReasonsList(error.reasons);
    const packed = new anyproto.Any();
    packed.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(packed);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata });
}

/** A unary call answered by `handle`, which may answer at once or later; a throw or rejection is the call's failure. */
function unary<Req, Res>(handle: (request: Req) => Res | Promise<Res>, secretInputsOf?: (request: Req) => SecretPath[]): Unary<Req, Res> {
  return (call, callback) => {
    new Promise<Res>((resolve) => resolve(handle(call.request))).then(
      (response) => callback(null, response),
      (error: unknown) => callback(failure(error, secretInputsOf?.(call.request))),
    );
  };
}

/** Provider configuration from `configure`: the provider's own inputs, else the `apikeys:*` config variables. */
function providerConfig(request: provproto.ConfigureRequest): ProviderConfig {
  const args = plain<Record<string, string | undefined>>(request.getArgs());
  const variables = request.getVariablesMap();
  return providerConfigFrom(
    (name, setting) => args[name] ?? variables.get(setting.configKey) ?? variables.get(`${CONFIG_NAMESPACE}:config:${name}`) ?? undefined,
  );
}

/** `~ privileges (update)`, `+- environment (replace)`: each changed input with its kind. */
function detailedDiff(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  changed: readonly string[],
  replaces: readonly string[],
): Map<string, provproto.PropertyDiff> {
  const kinds = provproto.PropertyDiff.Kind;
  const diffs = new Map<string, provproto.PropertyDiff>();
  for (const property of changed) {
    const replacing = replaces.some((r) => r === property || r.startsWith(`${property}.`));
    const added = olds[property] === undefined;
    const deleted = news[property] === undefined;
    const kind = added
      ? replacing
        ? kinds.ADD_REPLACE
        : kinds.ADD
      : deleted
        ? replacing
          ? kinds.DELETE_REPLACE
          : kinds.DELETE
        : replacing
          ? kinds.UPDATE_REPLACE
          : kinds.UPDATE;
    const entry = new provproto.PropertyDiff();
    entry.setKind(kind);
    entry.setInputdiff(true);
    diffs.set(property, entry);
  }
  return diffs;
}

/**
 * The ApiKey as a native Pulumi provider (`pulumi-resource-apikeys`): the gRPC service the engine
 * talks to, over the same ApiKeyProvider the dynamic ApiKey uses, so both behave alike. What only a
 * native provider can do: a detailed diff per property, `pulumi import`, secrets kept by the engine.
 */
export function apiKeyProviderService(version: string, provider = new ApiKeyProvider()): provrpc.IResourceProviderServer {
  const unimplemented =
    (what: string): Unary<unknown, never> =>
    (_call, callback) =>
      callback(
        Object.assign(new Error(`${what} is not implemented`), {
          code: grpc.status.UNIMPLEMENTED,
          details: `${what} is not implemented`,
          metadata: new grpc.Metadata(),
        }),
      );

  return {
    handshake: unimplemented("Handshake"),
    parameterize: unimplemented("Parameterize"),
    invoke: unimplemented("Invoke"),
    call: unimplemented("Call"),
    construct: unimplemented("Construct"),
    getMapping: unimplemented("GetMapping"),
    getMappings: unimplemented("GetMappings"),
    list: (call) => call.emit("error", { code: grpc.status.UNIMPLEMENTED, details: "List is not implemented" }),
    cancel: (_call, callback) => callback(null, new emptyproto.Empty()),
    attach: (_call, callback) => callback(null, new emptyproto.Empty()),
    getPluginInfo: (_call, callback) => {
      const info = new plugproto.PluginInfo();
      info.setVersion(version);
      callback(null, info);
    },
    getSchema: unary(() => {
      const response = new provproto.GetSchemaResponse();
      response.setSchema(packageSchemaJson(version));
      return response;
    }),
    checkConfig: unary((request: provproto.CheckRequest) => {
      const response = new provproto.CheckResponse();
      response.setInputs(request.getNews());
      return response;
    }),
    diffConfig: unary((request: provproto.DiffRequest) => {
      // A changed setting is an in-place update of the provider, never a replacement: moving the API
      // or rotating the admin token changes no key (and a replace here would replace every key).
      // It must still be reported: with DIFF_NONE the engine keeps the provider it configured from
      // the last update's state, so `refresh --run-program` and `destroy --run-program` would keep
      // calling the old endpoint with the old token; an update makes it configure one with the new.
      const olds = plain<Record<string, unknown>>(request.hasOldInputs() ? request.getOldInputs() : request.getOlds());
      const news = plain<Record<string, unknown>>(request.getNews());
      const changed = CONNECTION_SETTING_NAMES.filter((name) => stableJson(olds[name] ?? null) !== stableJson(news[name] ?? null));
      const response = new provproto.DiffResponse();
      response.setChanges(changed.length > 0 ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
      response.setDiffsList(changed);
      return response;
    }),
    configure: unary((request: provproto.ConfigureRequest) => {
      provider.configureWith(providerConfig(request));
      const response = new provproto.ConfigureResponse();
      response.setAcceptsecrets(true);
      response.setSupportspreview(true);
      return response;
    }),
    check: unary(async (request: provproto.CheckRequest) => {
      const news = revealedFields(fromStruct(request.getNews()));
      // As the TypeScript resource classes do: a key without a displayName is named after its resource.
      const name = request.getName() || declarationFromUrn(request.getUrn())?.[2] || "";
      const declared = news.displayName === undefined || news.displayName === null ? { ...news, displayName: name } : news;
      const checked = await provider.check(plain(request.getOlds()), declared);
      const response = new provproto.CheckResponse();
      // What arrived secret stays secret in the inputs the engine stores; a token given on the resource always.
      response.setInputs(inputsOnWire(checked.inputs, secretsIn(request.getNews())));
      response.setFailuresList(
        checked.failures.map((f) => {
          const entry = new provproto.CheckFailure();
          entry.setProperty(f.property);
          entry.setReason(f.reason);
          return entry;
        }),
      );
      return response;
    }),
    diff: unary((request: provproto.DiffRequest) => {
      const olds = plain<ApiKeyOutputs & { [DYNAMIC_PROVIDER_PROPERTY]?: string }>(request.getOlds());
      const news = plain<ApiKeyInputs>(request.getNews());
      const result = provider.diffProperties(olds, news);
      // A key moved here from the dynamic ApiKey (the NativeApiKey's alias) still carries the dynamic
      // provider's serialized code in its state: one update rewrites the state without it, no API call.
      const changed = olds[DYNAMIC_PROVIDER_PROPERTY] === undefined ? result.changedProperties : [...result.changedProperties, DYNAMIC_PROVIDER_PROPERTY];
      const response = new provproto.DiffResponse();
      response.setChanges(changed.length > 0 ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
      response.setReplacesList(result.replaces);
      response.setDiffsList(changed);
      const details = detailedDiff(plain(request.getOldInputs()) ?? {}, news, changed, result.replaces);
      for (const [property, diff] of details) response.getDetaileddiffMap().set(property, diff);
      response.setHasdetaileddiff(true);
      return response;
    }),
    create: unary(
      async (request: provproto.CreateRequest) => {
        const response = new provproto.CreateResponse();
        if (request.getPreview()) {
          response.setProperties(request.getProperties());
          return response;
        }
        const created = await provider.create(plain(request.getProperties()), declarationFromUrn(request.getUrn()));
        response.setId(created.id);
        response.setProperties(outputsOnWire(created.outs ?? {}, secretsIn(request.getProperties())));
        return response;
      },
      (request) => secretsIn(request.getProperties()),
    ),
    read: unary(async (request: provproto.ReadRequest) => {
      const stored = plain<ApiKeyOutputs>(request.getProperties());
      const imported = Object.keys(stored).length === 0;
      const read = await provider.read(request.getId(), imported ? undefined : stored);
      const response = new provproto.ReadResponse();
      if (!read.id || !read.props) return response;
      response.setId(read.id);
      // The stored outputs' secrets, and those of the stored inputs they were made from.
      const secrets = [...secretsIn(request.getProperties()), ...outputSecretPaths(secretsIn(request.getInputs()))];
      response.setProperties(outputsOnWire(read.props, secrets));
      // An imported key's inputs are what the API reports: the code `pulumi import` prints declares them.
      // Otherwise the stored inputs go back as they came, secrets still marked.
      response.setInputs(imported ? inputsOnWire(provider.importedInputs(read.props), []) : (request.getInputs() ?? toStruct({})));
      return response;
    }),
    update: unary(
      async (request: provproto.UpdateRequest) => {
        const response = new provproto.UpdateResponse();
        if (request.getPreview()) {
          response.setProperties(request.getNews());
          return response;
        }
        const updated = await provider.update(request.getId(), plain(request.getOlds()), plain(request.getNews()));
        response.setProperties(outputsOnWire(updated.outs ?? {}, secretsIn(request.getNews())));
        return response;
      },
      (request) => secretsIn(request.getNews()),
    ),
    delete: unary(async (request: provproto.DeleteRequest) => {
      await provider.delete(request.getId(), plain(request.getProperties()), declarationFromUrn(request.getUrn()));
      return new emptyproto.Empty();
    }),
  };
}
