import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import type * as pulumi from "@pulumi/pulumi";
import { Config as DynamicHostConfig } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { ApiKeyProvider, type ApiKeyArgs, type ApiKeyInputs, type ApiKeyOutputs, type InputFailure } from "../../provider";
import { apiKeyProviderService } from "../../provider/native/server";
import { revealedFields, secretValue, type WireValue } from "../../provider/native/secrets";
import { fromStruct, toStruct } from "../../provider/native/wire";
import { stableJson } from "../../provider/keyState/stableJson";
import { NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";

/**
 * The provider's lifecycle without the engine: check, diff, create, read, update and delete called
 * the way the engine calls them, through one interface with two drivers.
 *
 * - `dynamic`: the ApiKeyProvider hooks, called as Pulumi's dynamic-provider host calls them: config
 *   through the host's own Config class, every value through the protobuf Struct the host receives
 *   and answers with, `__provider` added to inputs and outputs, secrets stripped (the host does not
 *   accept them), the state kept as JSON text between steps as the engine writes it.
 * - `native`: the real gRPC service (provider/native/server.ts) on a loopback port, asked with
 *   Configure/Check/Diff/Create/Read/Update/Delete requests as the engine sends them to a provider
 *   that accepts secrets: the token marked secret in config and on the resource, the state's values
 *   sent back exactly as the provider answered them (secret wrappers included).
 *
 * `LifecycleStack` sequences the calls for a set of named keys as `pulumi up`, `preview`, `refresh`
 * and `destroy` would: what the engine adds on top of that (state files, secrets at rest, the CLI's
 * output, the host process, previews' display) is what the e2e suite keeps.
 */

export type DriverKind = "dynamic" | "native";
export const DRIVER_KINDS: readonly DriverKind[] = ["dynamic", "native"];

/** The project and stack every key is declared in (its labels and the native URN say so). */
const PROJECT = "apikeys-lifecycle";
const STACK = "test";

/** A key as the engine holds it after a step: its id, outputs (secrets revealed for assertions), and the wire values it sends back. */
export interface KeyState {
  readonly name: string;
  readonly id: string;
  readonly outputs: ApiKeyOutputs;
  /** Inputs and outputs exactly as the engine would send them back to the provider. */
  readonly wire: { readonly inputs: Record<string, WireValue>; readonly outputs: Record<string, WireValue> };
}

/** What Check answered: the inputs (revealed) and the wire form the engine passes on to Diff, Create and Update. */
export interface Checked {
  readonly name: string;
  readonly inputs: ApiKeyInputs;
  readonly failures: InputFailure[];
  readonly wire: Record<string, WireValue>;
}

export interface DiffAnswer {
  readonly changes: boolean;
  readonly replaces: string[];
  readonly deleteBeforeReplace: boolean;
}

/** A hook's failure as the engine receives it: the message only. */
export class ProviderCallError extends Error {
  constructor(
    readonly operation: string,
    message: string,
  ) {
    super(message);
    this.name = "ProviderCallError";
  }
}

/** Check failures, as `pulumi preview` would refuse the program: each property with its reason. */
export class CheckFailedError extends Error {
  constructor(
    readonly resource: string,
    readonly failures: readonly InputFailure[],
  ) {
    super(failures.map((f) => `resource '${resource}': property ${f.property}: ${f.reason}`).join("\n"));
    this.name = "CheckFailedError";
  }
}

export interface ProviderDriver {
  readonly kind: DriverKind;
  /** A fresh provider process, configured: each engine command starts one (state kept in memory, e.g. declared grace, lives as long). */
  start(): Promise<void>;
  check(name: string, declared: ApiKeyArgs, old?: KeyState): Promise<Checked>;
  diff(old: KeyState, news: Checked): Promise<DiffAnswer>;
  create(news: Checked): Promise<KeyState>;
  /** Undefined when the provider says the key is gone (an empty id). */
  read(old: KeyState): Promise<KeyState | undefined>;
  update(old: KeyState, news: Checked): Promise<KeyState>;
  delete(old: KeyState): Promise<void>;
  close(): Promise<void>;
}

/** How a driver reaches the key API: the `apikeys:*` stack config, extra APIKEYS_* settings, and the provider's clock. */
export interface DriverOptions {
  readonly config: { endpoint: string; organizationId: string; token: string; backend?: string };
  readonly env?: Record<string, string>;
  readonly now?: () => Date;
}

/** What the resource class registers (provider/resource.ts, provider/native/resource.ts): the display name defaults to the resource name, the stack labels are added. */
function registered(name: string, declared: ApiKeyArgs): Record<string, unknown> {
  const labels = { "managed-by": "pulumi", "pulumi:project": PROJECT, "pulumi:stack": STACK, "pulumi:resource": name };
  // JSON drops what is undefined, as the SDK leaves unset properties out.
  return JSON.parse(JSON.stringify({ ...declared, displayName: declared.displayName ?? name, metadata: { ...(declared.metadata ?? {}), ...labels } }));
}

function providerFor(options: DriverOptions): ApiKeyProvider {
  // No process environment: only what the test gives (and a short retry schedule).
  return new ApiKeyProvider({ env: { APIKEYS_RETRY_BASE_MS: "5", APIKEYS_RETRY_MAX_MS: "20", ...options.env }, now: options.now });
}

/** A value as the gRPC wire carries it: into a Struct, to bytes and back (what the dynamic host sends and receives). */
function overTheWire(value: object): Record<string, WireValue> {
  // The host builds its answer with Struct.fromJavaScript on what the hook returned, undefined fields and all.
  const struct = structproto.Struct.fromJavaScript(value as Record<string, structproto.JavaScriptValue>);
  return structproto.Struct.deserializeBinary(struct.serializeBinary()).toJavaScript() as Record<string, WireValue>;
}

/** What the engine writes to the state file and reads back. */
function stored(value: Record<string, WireValue>): Record<string, WireValue> {
  return JSON.parse(JSON.stringify(value));
}

const PROVIDER_KEY = "__provider";
/** Stands in for the serialized provider stub the dynamic ApiKey registers: the host hands it to every hook. */
const SERIALIZED_PROVIDER = 'exports.handler = () => require("pulumi-apikeys/provider/hooks").sharedProvider();';

/** The typed view of wire values the provider produced itself (revealed): the one place the harness trusts their shape. */
function asOutputs(values: Record<string, WireValue>): ApiKeyOutputs {
  const { [PROVIDER_KEY]: _provider, ...rest } = revealedFields(values);
  return rest as unknown as ApiKeyOutputs;
}
function asInputs(values: Record<string, WireValue>): ApiKeyInputs {
  const { [PROVIDER_KEY]: _provider, ...rest } = revealedFields(values);
  return rest as unknown as ApiKeyInputs;
}

async function rethrown<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // The host answers a failure with its message (grpcResponseFromError, or the error as the gRPC status).
    throw new ProviderCallError(operation, error instanceof Error ? error.message : String(error));
  }
}

/** The ApiKeyProvider hooks as the dynamic-provider host calls them. */
export function dynamicDriver(options: DriverOptions): ProviderDriver {
  let provider = providerFor(options);
  const withProvider = (values: object) => ({ ...values, [PROVIDER_KEY]: SERIALIZED_PROVIDER });
  const state = (name: string, id: string, inputs: Record<string, WireValue>, outs: object): KeyState => {
    const outputs = stored(overTheWire(withProvider(outs)));
    return { name, id, outputs: asOutputs(outputs), wire: { inputs, outputs } };
  };
  // Hooks see what the state file gave back: typed by the provider's own earlier answers.
  const outputsOf = (old: KeyState) => old.wire.outputs as unknown as ApiKeyOutputs;
  const inputsOf = (news: Checked) => news.wire as unknown as ApiKeyInputs;
  return {
    kind: "dynamic",
    async start() {
      provider = providerFor(options);
      const { endpoint, organizationId, token, backend } = options.config;
      const raw: Record<string, string> = { "apikeys:endpoint": endpoint, "apikeys:organizationId": organizationId, "apikeys:token": token };
      if (backend) raw["apikeys:backend"] = backend;
      // The host's own Config class (cmd/dynamic-provider/config): the one `configure` receives.
      const config: pulumi.dynamic.Config = new DynamicHostConfig(raw, PROJECT);
      await provider.configure({ config });
    },
    async check(name, declared, old) {
      const news = overTheWire(withProvider(registered(name, declared)));
      const olds = old ? old.wire.inputs : {};
      const result = await rethrown("check", () => provider.check(olds, news));
      const inputs = stored(overTheWire({ ...result.inputs, [PROVIDER_KEY]: news[PROVIDER_KEY] }));
      return { name, inputs: asInputs(inputs), failures: result.failures ?? [], wire: inputs };
    },
    async diff(old, news) {
      const result = await rethrown("diff", () => provider.diff(old.id, outputsOf(old), inputsOf(news)));
      return { changes: result.changes === true, replaces: result.replaces ?? [], deleteBeforeReplace: result.deleteBeforeReplace === true };
    },
    async create(news) {
      const created = await rethrown("create", () => provider.create(inputsOf(news)));
      return state(news.name, created.id, news.wire, created.outs ?? {});
    },
    async read(old) {
      const read = await rethrown("read", () => provider.read(old.id, outputsOf(old)));
      if (!read.id) return undefined;
      return state(old.name, read.id, old.wire.inputs, read.props ?? {});
    },
    async update(old, news) {
      const updated = await rethrown("update", () => provider.update(old.id, outputsOf(old), inputsOf(news)));
      return state(old.name, old.id, news.wire, updated.outs ?? {});
    },
    async delete(old) {
      await rethrown("delete", () => provider.delete(old.id, outputsOf(old)));
    },
    async close() {},
  };
}

type UnaryMethod<Req, Res> = (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown;

function unary<Req, Res>(operation: string, method: UnaryMethod<Req, Res>, request: Req): Promise<Res> {
  return new Promise((resolve, reject) =>
    method(request, (error, response) => (error ? reject(new ProviderCallError(operation, error.details)) : resolve(response))),
  );
}

/** The native provider's gRPC service on loopback, asked as the engine asks it. */
export function nativeDriver(options: DriverOptions): ProviderDriver {
  let server: grpc.Server | undefined;
  let client: provrpc.ResourceProviderClient | undefined;
  const urn = (name: string) => `urn:pulumi:${STACK}::${PROJECT}::${NATIVE_API_KEY_TYPE}::${name}`;
  const rpc = () => {
    if (!client) throw new Error("the native driver was not started");
    return client;
  };
  const stop = async () => {
    client?.close();
    const running = server;
    if (running) await new Promise<void>((resolve) => running.tryShutdown(() => resolve()));
    client = undefined;
    server = undefined;
  };
  const state = (name: string, id: string, inputs: Record<string, WireValue>, properties: structproto.Struct | undefined): KeyState => {
    const outputs = stored(fromStruct(properties));
    return { name, id, outputs: asOutputs(outputs), wire: { inputs, outputs } };
  };
  return {
    kind: "native",
    async start() {
      await stop();
      server = new grpc.Server();
      server.addService(provrpc.ResourceProviderService, apiKeyProviderService("0.0.0-lifecycle", providerFor(options)));
      const started = server;
      const port = await new Promise<number>((resolve, reject) =>
        started.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
      );
      client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      const configure = new provproto.ConfigureRequest();
      const { endpoint, organizationId, token, backend } = options.config;
      const variables = configure.getVariablesMap();
      variables.set("apikeys:endpoint", endpoint);
      variables.set("apikeys:organizationId", organizationId);
      variables.set("apikeys:token", token);
      if (backend) variables.set("apikeys:backend", backend);
      // The default provider's inputs are the config values; the engine sends a secret one marked.
      configure.setArgs(toStruct({ endpoint, organizationId, token: secretValue(token), ...(backend ? { backend } : {}) }));
      configure.setAcceptsecrets(true);
      configure.setAcceptresources(true);
      await unary<provproto.ConfigureRequest, provproto.ConfigureResponse>("configure", rpc().configure.bind(rpc()), configure);
    },
    async check(name, declared, old) {
      const news = registered(name, declared);
      const connection = news.connection as Record<string, unknown> | undefined;
      // A token on the resource arrives as a secret (the schema marks it so).
      if (connection?.token !== undefined) news.connection = { ...connection, token: secretValue(connection.token) };
      const request = new provproto.CheckRequest();
      request.setUrn(urn(name));
      request.setName(name);
      request.setOlds(toStruct(old?.wire.inputs ?? {}));
      request.setNews(toStruct(news));
      const answer = await unary<provproto.CheckRequest, provproto.CheckResponse>("check", rpc().check.bind(rpc()), request);
      const inputs = stored(fromStruct(answer.getInputs()));
      const failures = answer.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
      return { name, inputs: asInputs(inputs), failures, wire: inputs };
    },
    async diff(old, news) {
      const request = new provproto.DiffRequest();
      request.setId(old.id);
      request.setUrn(urn(old.name));
      request.setOlds(toStruct(old.wire.outputs));
      request.setOldInputs(toStruct(old.wire.inputs));
      request.setNews(toStruct(news.wire));
      const answer = await unary<provproto.DiffRequest, provproto.DiffResponse>("diff", rpc().diff.bind(rpc()), request);
      const kinds = provproto.DiffResponse.DiffChanges;
      if (answer.getChanges() === kinds.DIFF_UNKNOWN) throw new Error("the native provider answered DIFF_UNKNOWN");
      return { changes: answer.getChanges() === kinds.DIFF_SOME, replaces: answer.getReplacesList(), deleteBeforeReplace: answer.getDeletebeforereplace() };
    },
    async create(news) {
      const request = new provproto.CreateRequest();
      request.setUrn(urn(news.name));
      request.setProperties(toStruct(news.wire));
      const answer = await unary<provproto.CreateRequest, provproto.CreateResponse>("create", rpc().create.bind(rpc()), request);
      return state(news.name, answer.getId(), news.wire, answer.getProperties());
    },
    async read(old) {
      const request = new provproto.ReadRequest();
      request.setId(old.id);
      request.setUrn(urn(old.name));
      request.setProperties(toStruct(old.wire.outputs));
      request.setInputs(toStruct(old.wire.inputs));
      const answer = await unary<provproto.ReadRequest, provproto.ReadResponse>("read", rpc().read.bind(rpc()), request);
      if (!answer.getId()) return undefined;
      return state(old.name, answer.getId(), stored(fromStruct(answer.getInputs())), answer.getProperties());
    },
    async update(old, news) {
      const request = new provproto.UpdateRequest();
      request.setId(old.id);
      request.setUrn(urn(old.name));
      request.setOlds(toStruct(old.wire.outputs));
      request.setOldInputs(toStruct(old.wire.inputs));
      request.setNews(toStruct(news.wire));
      const answer = await unary<provproto.UpdateRequest, provproto.UpdateResponse>("update", rpc().update.bind(rpc()), request);
      return state(old.name, old.id, news.wire, answer.getProperties());
    },
    async delete(old) {
      const request = new provproto.DeleteRequest();
      request.setId(old.id);
      request.setUrn(urn(old.name));
      request.setProperties(toStruct(old.wire.outputs));
      request.setOldInputs(toStruct(old.wire.inputs));
      await unary<provproto.DeleteRequest, unknown>("delete", rpc().delete.bind(rpc()), request);
    },
    close: stop,
  };
}

export function providerDriver(kind: DriverKind, options: DriverOptions): ProviderDriver {
  return kind === "dynamic" ? dynamicDriver(options) : nativeDriver(options);
}

/** What a command did to each key, by name, as the engine's summary counts it. */
export type Step = "create" | "same" | "update" | "replace" | "delete";

/**
 * Named keys and their state, moved through the provider as the engine's commands move them: `up`
 * checks each declared key, then creates, updates or replaces it as Diff says (a replacement's new key
 * first, the old one deleted at the end: deleteBeforeReplace is never asked for) and deletes keys no
 * longer declared. Each command starts a fresh provider process, as the engine does.
 */
export class LifecycleStack {
  keys: Record<string, ApiKeyArgs> = {};
  readonly state = new Map<string, KeyState>();
  constructor(readonly driver: ProviderDriver) {}

  /** The key's outputs in the current state (secrets revealed). */
  outputs(name: string): ApiKeyOutputs {
    const found = this.state.get(name);
    if (!found) throw new Error(`no key "${name}" in the state`);
    return found.outputs;
  }

  private async checkAll(): Promise<Checked[]> {
    const checked: Checked[] = [];
    for (const [name, declared] of Object.entries(this.keys)) {
      const result = await this.driver.check(name, declared, this.state.get(name));
      if (result.failures.length > 0) throw new CheckFailedError(name, result.failures);
      checked.push(result);
    }
    return checked;
  }

  private async plan(news: Checked): Promise<Step> {
    const old = this.state.get(news.name);
    if (!old) return "create";
    const diff = await this.driver.diff(old, news);
    if (diff.deleteBeforeReplace) throw new Error(`the provider asked to delete "${news.name}" before replacing it`);
    return !diff.changes ? "same" : diff.replaces.length > 0 ? "replace" : "update";
  }

  /** Check and Diff only: what `pulumi preview` would do to each key. */
  async preview(): Promise<Record<string, Step>> {
    await this.driver.start();
    const steps: Record<string, Step> = {};
    for (const news of await this.checkAll()) steps[news.name] = await this.plan(news);
    for (const name of this.state.keys()) if (!(name in this.keys)) steps[name] = "delete";
    return steps;
  }

  /** `pulumi up`, at most `parallel` keys at a time (the engine's --parallel). */
  async up(options: { parallel?: number } = {}): Promise<Record<string, Step>> {
    await this.driver.start();
    const steps: Record<string, Step> = {};
    const replaced: KeyState[] = [];
    const pending = await this.checkAll();
    const work = async () => {
      for (let news = pending.shift(); news; news = pending.shift()) {
        const step = await this.plan(news);
        steps[news.name] = step;
        const old = this.state.get(news.name);
        if (step === "create" || step === "replace") {
          this.state.set(news.name, await this.driver.create(news));
          if (old) replaced.push(old);
        } else if (step === "update" && old) this.state.set(news.name, await this.driver.update(old, news));
      }
    };
    await Promise.all(Array.from({ length: options.parallel ?? 1 }, work));
    for (const old of replaced) await this.driver.delete(old);
    for (const [name, old] of [...this.state]) {
      if (name in this.keys) continue;
      await this.driver.delete(old);
      this.state.delete(name);
      steps[name] = "delete";
    }
    return steps;
  }

  /** `pulumi refresh`: Read of every key; "update" where the outputs changed, "delete" where the key is gone. */
  async refresh(): Promise<Record<string, Step>> {
    await this.driver.start();
    const steps: Record<string, Step> = {};
    for (const [name, old] of [...this.state]) {
      const read = await this.driver.read(old);
      if (!read) {
        this.state.delete(name);
        steps[name] = "delete";
        continue;
      }
      this.state.set(name, read);
      steps[name] = stableJson(read.wire.outputs) === stableJson(old.wire.outputs) ? "same" : "update";
    }
    return steps;
  }

  /** `pulumi destroy`: every key deleted. */
  async destroy(): Promise<void> {
    await this.driver.start();
    for (const [name, old] of [...this.state]) {
      await this.driver.delete(old);
      this.state.delete(name);
    }
  }
}
