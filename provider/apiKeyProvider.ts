import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { takeCredentialsFromEnvironment } from "../shared/scrubEnvironment";
import { adopt, changesToDeclaration } from "./adoption";
import type { BackendDescriptor } from "./backends/backendDescriptor";
import type { IssuedRemoteKey, KeyBackend, RemoteKey } from "./backends/keyBackend";
import { BACKENDS, backendNamed } from "./backends/registry";
import { providerConfigFrom } from "./connection/settings";
import {
  checkConnection,
  connectionDescriptor,
  resolveBackend,
  resolveConnection,
  type KnownConnection,
  type ProviderConfig,
  type ResolvedConnection,
} from "./connection/resolveConnection";
import { KeyApiError, KeyGoneError, PartialCreateError, withSavedSettingsAdvice } from "./errors";
import { checkApiKeyInputs, type InputFailure } from "./keyState/check";
import { currentKeyId, declarationIdempotencyKey, declarationOf, labelOf, type Declaration } from "./keyState/declaration";
import { graceBeforeDeactivation } from "./keyState/exposure";
import { dueRevocations, waitingRevocations, type PendingRevocation } from "./keyState/pendingRevocations";
import { computedFields, diffApiKey, rotationDue, type ApiKeyDiff } from "./keyState/diff";
import { keyFieldNames, type ApiKeyInputs, type ApiKeyOutputs, type ConnectionInputs } from "./keyState/inputs";
import { awaitsSecret, issuedSecret, keptSecret, keyOutputs, NO_SECRET } from "./keyState/outputs";
import { specOf } from "./keyState/spec";
import { containsUnknown } from "./keyState/unknowns";
import { fieldsOf } from "./records";

export interface ApiKeyProviderOptions {
  /** Where APIKEYS_* settings are read; the process environment by default. */
  readonly env?: NodeJS.ProcessEnv;
  readonly now?: () => Date;
  /** Replaces the backend registry, for tests that count or break calls. */
  readonly backendFor?: (connection: ResolvedConnection) => KeyBackend;
}

/** What the engine hands a hook: the checked inputs or stored outputs, plus the serialized provider. */
type WithProvider<T> = T & { readonly __provider?: string };

/**
 * How long after an interrupted `pulumi up` (engine killed, machine lost) the next run still finds
 * the key the lost create made. Shorter than the shortest rotation (1 day), so a key replaced for
 * its age is never mistaken for its own successor.
 */
const ORPHAN_WINDOW_MS = 20 * 3_600_000;

/** The values without the serialized provider the engine adds to them. */
function withoutProviderInternals<T extends object>(values: WithProvider<T>): Omit<WithProvider<T>, "__provider"> {
  const { __provider: _provider, ...rest } = values;
  return rest;
}

/**
 * A hook that answers at once, as the promise the dynamic provider interface asks for: a throw
 * becomes a rejection, as in an async method.
 */
function answered<T>(answer: () => T): Promise<T> {
  return new Promise((resolve) => resolve(answer()));
}

/** What `update`'s rotation step leaves: the key the API knows now, the secret it issued if any, the old keys still kept. */
interface RotationStep {
  readonly keyId: string;
  readonly rotated?: IssuedRemoteKey;
  readonly pendingRevocations: PendingRevocation[];
}

/**
 * How a due rotation is carried out for this declaration: the backend's way, except that an adopted
 * key is rolled in place where the API can (replacing it would re-adopt the same key, then delete it).
 */
function rotationMode(descriptor: BackendDescriptor, declared: Pick<ApiKeyInputs, "adoptKeyId">): "replace" | "rotate" {
  return declared.adoptKeyId && descriptor.rollsInPlace ? "rotate" : descriptor.rotation;
}

/**
 * The ApiKey provider of both kinds: Pulumi's create/read/update/delete hooks over a KeyBackend, which
 * the dynamic provider's host calls directly and the native plugin through its gRPC service (native/server.ts).
 * It holds the stack config `configure` hands it and, for one `up`, the grace period each declaration
 * asked for (`declaredGrace`); credentials are read per call.
 */
export class ApiKeyProvider implements pulumi.dynamic.ResourceProvider<ApiKeyInputs, ApiKeyOutputs> {
  private config: ProviderConfig = {};
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => Date;
  private readonly backendFor: (connection: KnownConnection) => KeyBackend;
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

  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    return answered(() => {
      this.config = providerConfigFrom((_name, setting) => req.config.get(setting.configKey));
    });
  }

  /** Stack configuration given directly (the native provider reads it from the engine's `configure`). */
  configureWith(config: ProviderConfig): void {
    this.config = config;
  }

  /** What a key brought in by `pulumi import` declares: its key fields as the API reports them. */
  importedInputs(props: ApiKeyOutputs): Partial<ApiKeyInputs> {
    const fields = [...keyFieldNames(), "metadata" as const];
    return Object.fromEntries(fields.filter((field) => props[field] !== undefined).map((field) => [field, props[field]]));
  }

  private connectionFor(override: ConnectionInputs | undefined, requireToken = true): KnownConnection {
    return resolveConnection(override, this.config, this.env, { requireToken });
  }

  /**
   * `olds` are the previous inputs (or outputs, which hold them); `news` what the program declares now.
   * Both as the engine hands them, not yet validated: any object, which is what is checked here.
   */
  check(olds: object | undefined, news: object): Promise<{ inputs: ApiKeyInputs; failures: InputFailure[] }> {
    return answered(() => this.checkInputs(olds, news));
  }

  private checkInputs(olds: object | undefined, news: object): { inputs: ApiKeyInputs; failures: InputFailure[] } {
    const declared = fieldsOf(news);
    const declaredConnection = declared.connection;
    const declaredBackend = declaredConnection && typeof declaredConnection === "object" ? fieldsOf(declaredConnection).backend : undefined;
    // A backend not known yet (a computed value at preview) is checked as the configured one.
    const backend = resolveBackend(declaredBackend, this.config, this.env);
    let checked = checkApiKeyInputs(fieldsOf(olds ?? {}), declared, this.now(), backend);
    let failures = [...checked.failures];
    // A connection not known yet (computed from another resource at preview) is checked at deploy.
    const connectionChecked = !failures.some(({ property }) => property === "connection" || property.startsWith("connection."));
    if (connectionChecked && !containsUnknown(declaredConnection)) {
      // A missing setting is a local fact: preview says so, instead of every create failing in `up`.
      // The token too: `check` runs in the same provider process (and environment) as the creates.
      const { descriptor, problems } = checkConnection(checked.inputs.connection, this.config, this.env);
      // A backend described in a file: the inputs are judged again by what that file says the API takes.
      if (problems.length === 0 && descriptor && descriptor !== backendNamed(backend)) {
        checked = checkApiKeyInputs(fieldsOf(olds ?? {}), declared, this.now(), backend, descriptor);
        failures = [...checked.failures];
      }
      // Reported only with the inputs right: the missing settings of a check that failed are its noise.
      if (failures.length === 0 || problems.some((problem) => problem.setting === "api"))
        for (const problem of problems) failures.push({ property: `connection.${problem.setting}`, reason: problem.message });
    }
    return { inputs: checked.inputs, failures };
  }

  diff(_id: string, olds: ApiKeyOutputs, news: ApiKeyInputs): Promise<pulumi.dynamic.DiffResult> {
    return answered(() => {
      const result = this.diffProperties(olds, news);
      return { changes: result.changedProperties.length > 0, replaces: result.replaces, deleteBeforeReplace: false };
    });
  }

  /** Which properties change and which of them replace the key: what `diff` decides from, and what a native provider reports property by property. */
  diffProperties(olds: ApiKeyOutputs, news: ApiKeyInputs): ApiKeyDiff {
    const connection = containsUnknown(news.connection) ? undefined : this.connectionFor(news.connection, false);
    const backend = connection?.backend ?? olds.backend;
    const descriptor = connection ? connectionDescriptor(connection, this.env) : backendNamed(backend);
    return diffApiKey(olds, news, {
      updatableFields: descriptor?.updatableFields ?? new Set(),
      computed: computedFields(news, descriptor?.supportedInputs ?? []),
      rotation: descriptor ? rotationMode(descriptor, news) : "replace",
      organizationId: connection?.organizationId ?? olds.organizationId,
      backend,
      now: this.now(),
    });
  }

  /**
   * `declaredAs`: which stack resource this is when the inputs carry no `pulumi:*` labels (a program
   * in another language, through the native provider, which knows it from the URN).
   */
  async create(inputs: WithProvider<ApiKeyInputs>, declaredAs?: Declaration): Promise<pulumi.dynamic.CreateResult<ApiKeyOutputs>> {
    const connection = this.connectionFor(inputs.connection);
    const backend = this.backendFor(connection);
    const declared: ApiKeyInputs = withoutProviderInternals(inputs);
    if (declared.adoptKeyId) return adopt({ backend, connection, now: () => this.now() }, declared.adoptKeyId, declared, inputs.__provider);

    const declarationParts = declarationOf(declared) ?? declaredAs;
    const declaration = declarationParts?.join("/");
    if (declaration) this.declaredGrace.set(declaration, declared.rotation?.gracePeriodSeconds ?? 0);
    const label = labelOf(declared);
    const spec = specOf(declared);
    const idempotencyKey = declarationIdempotencyKey(declared, declarationParts) ?? `create-${randomUUID()}`;
    let issued = await backend.create(spec, { idempotencyKey, label });
    if (issued.secret === undefined && this.now().getTime() - Date.parse(issued.key.createdAt) > ORPHAN_WINDOW_MS) {
      // An old live key with this declaration is the predecessor an age-based rotation replaces,
      // not an orphan of an interrupted run: make a new key.
      issued = await backend.create(spec, { idempotencyKey: `create-${randomUUID()}`, label });
    }
    const id = issued.key.id;
    let secret = issuedSecret(issued);
    if (!secret.secretAvailable) {
      // The create response was lost and the retry was answered from the idempotency record, which
      // never repeats the secret. Nobody has seen this key's secret, so issuing a new one is safe.
      try {
        secret = issuedSecret(await backend.roll(id, { label: labelOf(declared, id), gracePeriodSeconds: 0, idempotencyKey: `roll-${randomUUID()}` }));
      } catch (error) {
        // The key exists: it goes into state (a partial create) so it is never orphaned, marked so
        // that the next `up` issues its secret (see `awaitsSecret`) and `destroy` deletes it.
        const partial = {
          ...keyOutputs({
            declared,
            connection,
            keyId: id,
            remote: issued.key,
            secret: NO_SECRET,
            hint: issued.key.hint,
            createdAt: issued.key.createdAt,
            rotatedAt: issued.key.createdAt,
          }),
          secretPending: true,
          ...(inputs.__provider === undefined ? {} : { __provider: inputs.__provider }),
        };
        throw new PartialCreateError(id, partial, error);
      }
    }
    return {
      id,
      outs: keyOutputs({
        declared,
        connection,
        keyId: id,
        remote: issued.key,
        secret,
        hint: issued.key.hint,
        createdAt: issued.key.createdAt,
        rotatedAt: this.now().toISOString(),
      }),
    };
  }

  async read(id: string, props: WithProvider<ApiKeyOutputs> | undefined): Promise<pulumi.dynamic.ReadResult<ApiKeyOutputs>> {
    // `pulumi refresh` runs on the settings the last update saved: say so when they may be stale.
    return this.readKey(id, props).catch((error: unknown) => {
      throw withSavedSettingsAdvice(error);
    });
  }

  private async readKey(id: string, props: WithProvider<ApiKeyOutputs> | undefined): Promise<pulumi.dynamic.ReadResult<ApiKeyOutputs>> {
    // A key brought in by `pulumi import` has no state: `{}` stands in for it (not really ApiKeyOutputs),
    // which is enough because its outputs are then what the API reports (keyOutputs puts the remote
    // key's fields over the declared ones; no stored secret is read for a key without a keyId).
    const stored: ApiKeyOutputs = withoutProviderInternals(props ?? ({} as ApiKeyOutputs));
    const connection = this.connectionFor(stored.connection);
    const backend = this.backendFor(connection);
    const keyId = currentKeyId(id, stored);
    const remote = await backend.get(keyId, { label: labelOf(stored, keyId) });
    // An empty id tells the engine the key is gone, so `refresh` drops it and `up` creates it again.
    if (!remote) return { id: "" };
    // The secret is never readable from the API: keep the one in state, or say it is unknown (adopted).
    const adopted = stored.keyId === undefined;
    return {
      id,
      props: {
        ...keyOutputs({
          declared: stored,
          connection,
          keyId,
          remote,
          secret: adopted ? NO_SECRET : keptSecret(stored),
          hint: remote.hint,
          createdAt: remote.createdAt,
          rotatedAt: stored.rotatedAt ?? remote.createdAt,
        }),
        // Still waiting for its secret after a refresh (a record of an older version has no flag).
        ...(awaitsSecret(stored) ? { secretPending: true } : {}),
      },
    };
  }

  /** Three steps: the old keys whose grace is over go, a due rotation issues a new secret, the changed fields are updated in place. */
  async update(id: string, olds: ApiKeyOutputs, news: WithProvider<ApiKeyInputs>): Promise<pulumi.dynamic.UpdateResult<ApiKeyOutputs>> {
    const declared: ApiKeyInputs = withoutProviderInternals(news);
    const connection = this.connectionFor(declared.connection);
    const backend = this.backendFor(connection);
    const now = this.now();
    await this.revokeDueKeys(backend, olds, declared, now);
    const { keyId, rotated, pendingRevocations } = await this.rotateIfDue(backend, connection, currentKeyId(id, olds), olds, declared, now);
    const current = (await this.updateInPlace(backend, connection, keyId, olds, declared)) ?? rotated?.key;
    return {
      outs: keyOutputs({
        declared,
        connection,
        keyId,
        remote: current,
        secret: rotated ? issuedSecret(rotated) : keptSecret(olds),
        // A new secret is not the exposed one; without a new answer the last report stands until a refresh.
        exposure: current ? current.exposure : olds.exposure,
        lastUsedAt: olds.lastUsedAt,
        pendingRevocations,
        hint: current?.hint ?? olds.hint,
        createdAt: rotated ? rotated.key.createdAt : olds.createdAt,
        rotatedAt: rotated ? now.toISOString() : olds.rotatedAt,
      }),
    };
  }

  /** Update, first step: old keys whose grace period is over (two-slot rotation) go first. */
  private async revokeDueKeys(backend: KeyBackend, olds: ApiKeyOutputs, declared: ApiKeyInputs, now: Date): Promise<void> {
    for (const due of dueRevocations(olds.pendingRevocations, now))
      await backend.delete(due.keyId, { label: labelOf(declared, due.keyId), gracePeriodSeconds: 0 });
  }

  /**
   * Update, second step: a new secret for a key that still waits for its first one, or whose rotation
   * is due on a backend that rotates in place (others get here for a due rotation only as a replace).
   */
  private async rotateIfDue(
    backend: KeyBackend,
    connection: KnownConnection,
    keyId: string,
    olds: ApiKeyOutputs,
    declared: ApiKeyInputs,
    now: Date,
  ): Promise<RotationStep> {
    const descriptor = connectionDescriptor(connection, this.env);
    const pendingRevocations = waitingRevocations(olds.pendingRevocations, now);
    if (awaitsSecret(olds)) {
      // The create that made this key could not issue its secret: nobody has seen one, so no grace.
      const rotated = await backend.roll(keyId, { label: labelOf(declared, keyId), gracePeriodSeconds: 0, idempotencyKey: `roll-${randomUUID()}` });
      return { keyId: rotated.key.id, rotated, pendingRevocations };
    }
    const rotationIsDue = rotationMode(descriptor, declared) === "rotate" && rotationDue(olds, declared, now).length > 0;
    if (!rotationIsDue) return { keyId, pendingRevocations };
    const predecessor = keyId;
    const gracePeriodSeconds = graceBeforeDeactivation(declared.rotation?.gracePeriodSeconds ?? 0, olds.exposure, now);
    const rotated = await backend.roll(keyId, {
      label: labelOf(declared, keyId),
      gracePeriodSeconds,
      idempotencyKey: `roll-${randomUUID()}`,
      rotationSecret: olds.rotationSecret,
      lifetime: declared.lifetime,
      spec: specOf(declared),
    });
    if (descriptor.graceKeptBy === "stack" && rotated.key.id !== predecessor) {
      // The API cannot end the old key later by itself: the stack keeps it until the grace is over.
      if (gracePeriodSeconds > 0)
        pendingRevocations.push({ keyId: predecessor, revokeAfter: new Date(now.getTime() + gracePeriodSeconds * 1000).toISOString() });
      else await backend.delete(predecessor, { label: labelOf(declared, predecessor), gracePeriodSeconds: 0 });
    }
    return { keyId: rotated.key.id, rotated, pendingRevocations };
  }

  /** Update, third step: the declared changes the backend makes in place; the key as the API answers, undefined when nothing changes. */
  private async updateInPlace(
    backend: KeyBackend,
    connection: KnownConnection,
    keyId: string,
    olds: ApiKeyOutputs,
    declared: ApiKeyInputs,
  ): Promise<RemoteKey | undefined> {
    const label = labelOf(declared, keyId);
    const changes = changesToDeclaration(backend, connection, olds, declared);
    if (Object.keys(changes).length === 0) return undefined;
    return backend.update(keyId, changes, { label }).catch((error: unknown) => {
      if (error instanceof KeyApiError && error.status === 404) throw new KeyGoneError(label);
      throw error;
    });
  }

  async delete(id: string, props: ApiKeyOutputs, declaredAs?: Declaration): Promise<void> {
    // `pulumi destroy` runs on the settings the last update saved: say so when they may be stale.
    return this.deleteKey(id, props, declaredAs).catch((error: unknown) => {
      throw withSavedSettingsAdvice(error);
    });
  }

  private async deleteKey(id: string, props: ApiKeyOutputs, declaredAs?: Declaration): Promise<void> {
    const connection = this.connectionFor(props.connection);
    const backend = this.backendFor(connection);
    const keyId = currentKeyId(id, props);
    // A replacement's new declaration decides how long the old key keeps working.
    const declaration = (declarationOf(props) ?? declaredAs)?.join("/");
    const replacedWithGrace = declaration === undefined ? undefined : this.declaredGrace.get(declaration);
    if (declaration) this.declaredGrace.delete(declaration);
    await backend.delete(keyId, { label: labelOf(props, keyId), gracePeriodSeconds: replacedWithGrace ?? props.rotation?.gracePeriodSeconds ?? 0 });
    // Old keys a rotation kept working go with it: nothing the stack made outlives the stack.
    for (const pending of props.pendingRevocations ?? []) await backend.delete(pending.keyId, { label: labelOf(props, pending.keyId), gracePeriodSeconds: 0 });
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
