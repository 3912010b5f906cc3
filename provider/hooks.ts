import { createHash, randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { BACKENDS } from "./backends/registry";
import { KEY_FIELDS, type IssuedRemoteKey, type KeyBackend, type KeyField, type KeySpec, type RemoteKey } from "./backends/keyBackend";
import { checkApiKeyInputs } from "./check";
import { resolveBackend, resolveConnection, type ProviderConfig, type ResolvedConnection } from "./connection";
import { ConnectionConfigError } from "./connectionError";
import { diffApiKey } from "./diff";
import type { ApiKeyOutputs, BackendName, ConnectionInputs } from "./inputs";
import { PartialCreateError } from "./partialCreateError";
import { takeCredentialsFromEnvironment } from "../shared/scrubEnvironment";
import { stableJson } from "./stableJson";
import { containsUnknown } from "./unknowns";

export interface ApiKeyProviderOptions {
  /** Where APIKEYS_* settings are read; the process environment by default. */
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => Date;
  /** Replaces the backend registry, for tests that count or break calls. */
  readonly backendFor?: (connection: ResolvedConnection) => KeyBackend;
}

/** Optional declared fields that go to the API as they are. */
const OPTIONAL_SPEC_FIELDS = ["expiresAt", "metadata", "allowedIps", "deniedIps", "lifetime", "templateId", "additionalConfiguration", "isInternal"] as const;

function specOf(inputs: Record<string, any>): KeySpec {
  const spec: Record<string, unknown> = {
    displayName: inputs.displayName,
    description: inputs.description ?? "",
    environment: inputs.environment ?? "test",
    enabled: inputs.enabled ?? true,
    privileges: inputs.privileges ?? [],
  };
  for (const field of OPTIONAL_SPEC_FIELDS) if (inputs[field] !== undefined && inputs[field] !== null) spec[field] = inputs[field];
  return spec as unknown as KeySpec;
}

/** Fields a vendor reports back (lifetime is not: Coveo answers with an expiry date instead). */
const REPORTED_OPTIONAL_FIELDS = ["expiresAt", "allowedIps", "deniedIps", "templateId", "additionalConfiguration", "isInternal"] as const;

/** The declared fields as the API reports them (it is the source of truth after a write or a refresh). */
function declaredFromRemote(remote: RemoteKey): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    displayName: remote.displayName,
    description: remote.description,
    enabled: remote.enabled,
    privileges: remote.privileges,
  };
  if (remote.environment) fields.environment = remote.environment;
  for (const field of REPORTED_OPTIONAL_FIELDS) if (remote[field] !== undefined) fields[field] = remote[field];
  return fields;
}

/**
 * How long after an interrupted `pulumi up` (engine killed, machine lost) the next run still finds
 * the key the lost create made. Shorter than the shortest rotation (1 day), so a key replaced for
 * its age is never mistaken for its own successor.
 */
const ORPHAN_WINDOW_MS = 20 * 3_600_000;

/** Which stack resource a key declaration is ([project, stack, resource]), from the labels ApiKey writes. */
function declarationOf(values: Record<string, any>): [string, string, string] | undefined {
  const labels = values.metadata ?? {};
  return labels["pulumi:stack"] && labels["pulumi:resource"] ? [labels["pulumi:project"] ?? "", labels["pulumi:stack"], labels["pulumi:resource"]] : undefined;
}

/**
 * A create's Idempotency-Key derived from what the stack declares (project, stack, resource name,
 * the key's fields, the rotation trigger): a run that dies after the API made the key but before
 * the engine wrote it to state asks again with the same key and gets that key back, not a second one.
 * Undefined when the inputs do not say which stack resource they are.
 */
export function declarationIdempotencyKey(inputs: Record<string, any>): string | undefined {
  const declaration = declarationOf(inputs);
  if (!declaration) return undefined;
  const identity = [...declaration, inputs.rotation?.trigger ?? "", specOf(inputs)];
  return `create-${createHash("sha256").update(stableJson(identity)).digest("base64url")}`;
}

/** The key the API knows now: after a Coveo rotation it differs from the Pulumi resource id. */
function currentKeyId(id: string, props: Record<string, any> | undefined): string {
  return typeof props?.keyId === "string" && props.keyId !== "" ? props.keyId : id;
}

function withoutProviderInternals(values: Record<string, any>): Record<string, any> {
  const { __provider: _provider, ...rest } = values;
  return rest;
}

function labelOf(values: Record<string, any>, id?: string): string {
  const name = typeof values.displayName === "string" ? `"${values.displayName}"` : "";
  return [name, id ? `(${id})` : ""].filter(Boolean).join(" ") || "(unnamed)";
}

/**
 * The ApiKey dynamic provider: Pulumi's create/read/update/delete hooks over a KeyBackend.
 * Stateless but for the stack config `configure` hands it; credentials are read per call.
 */
export class ApiKeyProvider implements pulumi.dynamic.ResourceProvider {
  private config: ProviderConfig = {};
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => Date;
  private readonly backendFor: (connection: ResolvedConnection) => KeyBackend;
  /**
   * The grace period each declaration asks for, recorded at create. A replacement creates the new key
   * and then deletes the old one, and delete sees only the old key's state: without this, a rotation
   * that adds `gracePeriodSeconds` (or changes it) would revoke the old key with the old value. Both
   * steps run in this one provider process during one `up`; a plain destroy keeps the state's value.
   */
  private readonly declaredGrace = new Map<string, number>();

  constructor(options: ApiKeyProviderOptions = {}) {
    this.env = options.env ?? process.env;
    this.now = options.now ?? (() => new Date());
    this.backendFor = options.backendFor ?? ((connection) => BACKENDS[connection.backend].create(connection, this.env));
  }

  async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    this.config = {
      endpoint: req.config.get("apikeys:endpoint"),
      token: req.config.get("apikeys:token"),
      organizationId: req.config.get("apikeys:organizationId"),
      backend: req.config.get("apikeys:backend"),
      region: req.config.get("apikeys:region"),
    };
  }

  private connectionFor(override: ConnectionInputs | undefined, requireToken = true): ResolvedConnection {
    return resolveConnection(override, this.config, this.env, { requireToken });
  }

  async check(olds: Record<string, any>, news: Record<string, any>): Promise<pulumi.dynamic.CheckResult> {
    // A backend not known yet (a computed value at preview) is checked as the configured one.
    const checked = checkApiKeyInputs(olds ?? {}, news, this.now(), resolveBackend(news.connection?.backend, this.config, this.env));
    const failures = [...checked.failures];
    if (failures.length === 0 && !containsUnknown(news.connection)) {
      try {
        // The token may legitimately arrive only at deploy time (a secret env var in CI), so preview
        // does not insist on it; endpoint and organization are needed to know what the diff means.
        this.connectionFor(checked.inputs.connection as ConnectionInputs | undefined, false);
      } catch (error) {
        if (!(error instanceof ConnectionConfigError)) throw error;
        failures.push({ property: `connection.${error.setting}`, reason: error.message });
      }
    }
    return { inputs: checked.inputs, failures };
  }

  async diff(_id: string, olds: ApiKeyOutputs, news: Record<string, any>): Promise<pulumi.dynamic.DiffResult> {
    const connection = containsUnknown(news.connection) ? undefined : this.connectionFor(news.connection, false);
    const backend = connection?.backend ?? olds.backend;
    const result = diffApiKey(olds, news, {
      updatableFields: BACKENDS[backend as BackendName]?.updatableFields ?? new Set(),
      organizationId: connection?.organizationId ?? olds.organizationId,
      backend,
      now: this.now(),
      rotation: BACKENDS[backend as BackendName]?.rotation,
    });
    return { changes: result.changedProperties.length > 0, replaces: result.replaces, deleteBeforeReplace: false };
  }

  async create(inputs: Record<string, any>): Promise<pulumi.dynamic.CreateResult<ApiKeyOutputs>> {
    const connection = this.connectionFor(inputs.connection);
    const backend = this.backendFor(connection);
    const declared = withoutProviderInternals(inputs);
    const base = { ...declared, backend: connection.backend, organizationId: connection.organizationId };
    if (inputs.adoptKeyId) return this.adopt(backend, inputs.adoptKeyId, declared, base);

    const declaration = declarationOf(inputs)?.join("/");
    if (declaration) this.declaredGrace.set(declaration, inputs.rotation?.gracePeriodSeconds ?? 0);
    const label = labelOf(inputs);
    const spec = specOf(inputs);
    let issued = await backend.create(spec, { idempotencyKey: declarationIdempotencyKey(inputs) ?? `create-${randomUUID()}`, label });
    if (issued.secret === undefined && this.now().getTime() - Date.parse(issued.key.createdAt) > ORPHAN_WINDOW_MS) {
      // An old live key with this declaration is the predecessor an age-based rotation replaces,
      // not an orphan of an interrupted run: make a new key.
      issued = await backend.create(spec, { idempotencyKey: `create-${randomUUID()}`, label });
    }
    const id = issued.key.id;
    let secret = issued.secret;
    if (secret === undefined) {
      // The create response was lost and the retry was answered from the idempotency record, which
      // never repeats the secret. Nobody has seen this key's secret, so issuing a new one is safe.
      try {
        secret = (await backend.roll(id, { label: labelOf(inputs, id), gracePeriodSeconds: 0, idempotencyKey: `roll-${randomUUID()}` })).secret;
      } catch (error) {
        throw new PartialCreateError(id, { ...base, keyId: id, secretAvailable: false, __provider: inputs.__provider }, error as Error);
      }
    }
    const now = this.now().toISOString();
    return {
      id,
      outs: {
        ...base,
        ...declaredFromRemote(issued.key),
        keyId: id,
        secret,
        secretAvailable: secret !== undefined,
        ...(issued.rotationSecret ? { rotationSecret: issued.rotationSecret } : {}),
        hint: issued.key.hint,
        createdAt: issued.key.createdAt,
        rotatedAt: now,
      } as ApiKeyOutputs,
    };
  }

  /** Takes over a key that already exists (made by hand or another tool): brings it to the declared state, keeps its id. */
  private async adopt(backend: KeyBackend, keyId: string, declared: Record<string, any>, base: Record<string, any>): Promise<pulumi.dynamic.CreateResult<ApiKeyOutputs>> {
    const label = labelOf(declared, keyId);
    const existing = await backend.get(keyId, { label });
    if (!existing) throw new ConnectionConfigError("adoptKeyId", `adoptKeyId: key ${keyId} does not exist in organization ${base.organizationId}; check the id or remove adoptKeyId to create a new key`);
    const changes = this.changedSpecFields(existing, declared, backend.updatableFields);
    const current = Object.keys(changes).length > 0 ? await backend.update(keyId, changes, { label }) : existing;
    return {
      id: keyId,
      outs: {
        ...base,
        ...declaredFromRemote(current),
        keyId,
        secretAvailable: false,
        hint: current.hint,
        createdAt: current.createdAt,
        rotatedAt: current.createdAt,
      } as ApiKeyOutputs,
    };
  }

  private changedSpecFields(current: Record<string, any>, declared: Record<string, any>, updatable: ReadonlySet<KeyField>): Partial<KeySpec> {
    const result = diffApiKey(current as ApiKeyOutputs, declared, {
      updatableFields: updatable,
      organizationId: "",
      backend: "",
      now: this.now(),
    });
    const spec = specOf(declared) as unknown as Record<string, unknown>;
    const changes: Record<string, unknown> = {};
    for (const field of KEY_FIELDS) if (result.changedProperties.includes(field) && updatable.has(field)) changes[field] = spec[field] ?? null;
    if (JSON.stringify(current.metadata ?? {}) !== JSON.stringify(declared.metadata ?? {}) && declared.metadata) changes.metadata = declared.metadata;
    return changes as Partial<KeySpec>;
  }

  async read(id: string, props: Record<string, any>): Promise<pulumi.dynamic.ReadResult<ApiKeyOutputs>> {
    const connection = this.connectionFor(props?.connection);
    const backend = this.backendFor(connection);
    const keyId = currentKeyId(id, props);
    const remote = await backend.get(keyId, { label: labelOf(props ?? {}, keyId) });
    // An empty id tells the engine the key is gone, so `refresh` drops it and `up` creates it again.
    if (!remote) return { id: "" };
    const known = withoutProviderInternals(props ?? {});
    const adopted = known.keyId === undefined;
    return {
      id,
      props: {
        ...known,
        ...declaredFromRemote(remote),
        backend: connection.backend,
        organizationId: connection.organizationId,
        keyId,
        // The secret is never readable from the API: keep the one in state, or say it is unknown.
        ...(adopted ? { secretAvailable: false } : {}),
        hint: remote.hint,
        createdAt: remote.createdAt,
        rotatedAt: known.rotatedAt ?? remote.createdAt,
      } as ApiKeyOutputs,
    };
  }

  async update(id: string, olds: ApiKeyOutputs, news: Record<string, any>): Promise<pulumi.dynamic.UpdateResult<ApiKeyOutputs>> {
    const connection = this.connectionFor(news.connection);
    const backend = this.backendFor(connection);
    const changes = this.changedSpecFields(olds, news, backend.updatableFields);
    let keyId = currentKeyId(id, olds);
    // A backend that rotates in place (Coveo) gets here for a due rotation instead of a replace.
    const rotation = BACKENDS[connection.backend].rotation === "rotate" ? this.rotationDue(olds, news) : [];
    let rotated: IssuedRemoteKey | undefined;
    if (rotation.length > 0) {
      rotated = await backend.roll(keyId, {
        label: labelOf(news, keyId),
        gracePeriodSeconds: news.rotation?.gracePeriodSeconds ?? 0,
        idempotencyKey: `roll-${randomUUID()}`,
        rotationSecret: olds.rotationSecret,
        lifetime: news.lifetime,
      });
      keyId = rotated.key.id;
    }
    const label = labelOf(news, keyId);
    let current: RemoteKey | undefined = rotated?.key;
    if (Object.keys(changes).length > 0) {
      current = await backend.update(keyId, changes, { label }).catch((error) => {
        if ((error as { status?: number }).status === 404) {
          throw new Error(`updating API key ${label} failed: it no longer exists on the key API; run \`pulumi refresh\` so the next \`pulumi up\` creates it again`);
        }
        throw error;
      });
    }
    // Outputs replace the stored ones wholesale: carry the secret and everything the API issued forward.
    return {
      outs: {
        ...withoutProviderInternals(news),
        ...(current ? declaredFromRemote(current) : {}),
        backend: connection.backend,
        organizationId: connection.organizationId,
        keyId,
        ...(rotated
          ? { secret: rotated.secret, secretAvailable: rotated.secret !== undefined, ...(rotated.rotationSecret ? { rotationSecret: rotated.rotationSecret } : {}) }
          : {
              ...(olds.secret !== undefined ? { secret: olds.secret } : {}),
              secretAvailable: olds.secretAvailable,
              ...(olds.rotationSecret !== undefined ? { rotationSecret: olds.rotationSecret } : {}),
            }),
        hint: current?.hint ?? olds.hint,
        createdAt: rotated ? rotated.key.createdAt : olds.createdAt,
        rotatedAt: rotated ? this.now().toISOString() : olds.rotatedAt,
      } as ApiKeyOutputs,
    };
  }

  private rotationDue(olds: ApiKeyOutputs, news: Record<string, any>): string[] {
    return diffApiKey(olds, news, { updatableFields: new Set(KEY_FIELDS), organizationId: "", backend: "", now: this.now(), rotation: "rotate" }).rotates;
  }

  async delete(id: string, props: ApiKeyOutputs): Promise<void> {
    const connection = this.connectionFor(props.connection);
    const backend = this.backendFor(connection);
    const keyId = currentKeyId(id, props);
    // A replacement's new declaration decides how long the old key keeps working.
    const declaration = declarationOf(props)?.join("/");
    const replacedWithGrace = declaration === undefined ? undefined : this.declaredGrace.get(declaration);
    if (declaration) this.declaredGrace.delete(declaration);
    await backend.delete(keyId, { label: labelOf(props, keyId), gracePeriodSeconds: replacedWithGrace ?? props.rotation?.gracePeriodSeconds ?? 0 });
  }
}

let shared: ApiKeyProvider | undefined;

/** The one provider a dynamic-provider host process uses, so `configure` reaches every later hook. */
export function sharedProvider(): ApiKeyProvider {
  // The provider host runs only this provider: its token leaves the process environment, so a crash
  // report of the host cannot show it; the provider keeps a private copy.
  shared ??= new ApiKeyProvider({ env: takeCredentialsFromEnvironment() });
  return shared;
}
