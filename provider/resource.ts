import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { BackendInputFields, BackendName, Region } from "./backends/registry";
import type { ApiKeyOutputs } from "./keyState/inputs";
import { outputPlaceholders, SECRET_OUTPUTS } from "./keyState/outputs";

/** A key's output as a resource member, its type read off `ApiKeyOutputs`. */
export type KeyOutput<Name extends keyof ApiKeyOutputs> = pulumi.Output<ApiKeyOutputs[Name]>;

/** A declared value as a Pulumi input: lists take inputs element by element. */
type InputOf<T> = T extends readonly (infer Element)[] ? pulumi.Input<pulumi.Input<Element>[]> : pulumi.Input<T>;

/** The inputs the backends add (`inputFields` in each backend folder), with their documentation. */
export type BackendArgs = { readonly [Field in keyof BackendInputFields]?: InputOf<NonNullable<z.input<BackendInputFields[Field]>>> };

/** A privilege as declared in a stack: owner, target domain, type and optional target ids. */
export interface PrivilegeArgs {
  /** The service that grants it, e.g. `SEARCH_API`. */
  readonly owner: pulumi.Input<string>;
  /** What it acts on, e.g. `EXECUTE_QUERY`. */
  readonly targetDomain: pulumi.Input<string>;
  /** The level of access, e.g. `ENABLE`, `VIEW`, `EDIT`. */
  readonly type: pulumi.Input<string>;
  /** Specific targets, or `["*"]` for all; omit for the domain as a whole. */
  readonly targetIds?: pulumi.Input<pulumi.Input<string>[]>;
}

export interface RotationArgs {
  /** Any string; changing it replaces the key (new secret, new key created before the old one goes). */
  readonly trigger?: pulumi.Input<string>;
  /** Once the secret is this many days old, the next `pulumi up` replaces the key. */
  readonly rotateAfterDays?: pulumi.Input<number>;
  /** When the key is replaced or deleted, the old secret keeps working this long so consumers can switch. */
  readonly gracePeriodSeconds?: pulumi.Input<number>;
  /**
   * Replace the secret once the key API reports it exposed (Coveo's secret scanning): `pulumi refresh`
   * records the report in `exposure`, the next `up` rotates, with the grace period cut short of the
   * date the API deactivates the key.
   */
  readonly onExposure?: pulumi.Input<boolean>;
  /**
   * With `lifetime`: once the key expires within this ISO-8601 duration (e.g. `P14D`), the next
   * `preview` shows a new secret and `up` issues it, the old one working for `gracePeriodSeconds`.
   */
  readonly renewBeforeExpiry?: pulumi.Input<string>;
  /**
   * With `adoptKeyId` (reference server): the adoption issues a new secret that only the stack holds;
   * the old one, which whoever made the key knows, works for `gracePeriodSeconds` more.
   */
  readonly rollOnAdopt?: pulumi.Input<boolean>;
}

export interface ConnectionArgs {
  /** The key API's base URL. Default: stack config `apikeys:endpoint`, then `APIKEYS_ENDPOINT`. */
  readonly endpoint?: pulumi.Input<string>;
  /** An admin token for the API; stored in state only encrypted. Default: `apikeys:token`, then `APIKEYS_TOKEN`. */
  readonly token?: pulumi.Input<string>;
  /** Default: `apikeys:organizationId`, then `APIKEYS_ORGANIZATION_ID`. */
  readonly organizationId?: pulumi.Input<string>;
  /** Which key API (one of `BACKEND_NAMES`; `reference` by default). Default: `apikeys:backend`, then `APIKEYS_BACKEND`. */
  readonly backend?: pulumi.Input<BackendName>;
  /** For a backend with regions: picks its host when no endpoint is set. Default: `apikeys:region`, then `APIKEYS_REGION`. */
  readonly region?: pulumi.Input<Region>;
  /**
   * For `backend: "http"`: the path of the key API description (JSON or YAML) that says how to reach
   * the API (docs/backends.md, Your key API in a file). Default: `apikeys:api`, then `APIKEYS_API`.
   */
  readonly api?: pulumi.Input<string>;
}

/** An ApiKey's arguments: the fields every backend shares, and each backend's own (`BackendArgs`). */
export interface ApiKeyArgs extends BackendArgs {
  /** Shown in consoles. Defaults to the resource name. */
  readonly displayName?: pulumi.Input<string>;
  /** What the key is for and who owns it. */
  readonly description?: pulumi.Input<string>;
  /** `live` or `test` (default). Changing it replaces the key. */
  readonly environment?: pulumi.Input<"live" | "test">;
  /** Default true. */
  readonly enabled?: pulumi.Input<boolean>;
  readonly privileges?: pulumi.Input<pulumi.Input<PrivilegeArgs>[]>;
  /** ISO-8601 date-time with a time zone; the key stops working then. */
  readonly expiresAt?: pulumi.Input<string>;
  /**
   * How long the key lives from each new secret, an ISO-8601 duration such as `P90D` (reference
   * server, Coveo): the API sets the expiry. With `rotation.renewBeforeExpiry` the key is renewed
   * before it expires. Not together with `expiresAt`; changing it replaces the key.
   */
  readonly lifetime?: pulumi.Input<string>;
  readonly rotation?: pulumi.Input<RotationArgs>;
  /** Per-resource connection settings; each falls back to stack config, then the environment. */
  readonly connection?: pulumi.Input<ConnectionArgs>;
  /**
   * Manage a key that already exists instead of creating one (the way to bring a key under Pulumi:
   * `pulumi import` cannot reach dynamic providers). Its secret cannot be recovered; change
   * `rotation.trigger` to replace it with a key whose secret the stack holds.
   */
  readonly adoptKeyId?: pulumi.Input<string>;
  /** Extra labels stored on the key; the stack and resource name are always added. Kept in the stack only where the API has no labels. */
  readonly metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The declared labels plus the ones that say which stack resource the key is: the console warns
 * before hand edits, and the provider derives a create's Idempotency-Key from them.
 */
export function withStackLabels(name: string, metadata: ApiKeyArgs["metadata"]): pulumi.Output<Record<string, string>> {
  return pulumi.output(metadata ?? {}).apply((m): Record<string, string> => ({
    ...m,
    "managed-by": "pulumi",
    "pulumi:project": pulumi.getProject(),
    "pulumi:stack": pulumi.getStack(),
    "pulumi:resource": name,
  }));
}

/** The npm package the dynamic-provider host loads the provider from, by name, in the program's directory. */
const PROVIDER_MODULE = "pulumi-apikeys/provider/hooks";

/**
 * What Pulumi serializes into state as `__provider`: a small object that loads the installed
 * provider by package name. It captures no zod schema (those do not serialize), no token, and no
 * code that a package upgrade could not fix: read and delete of old keys run the installed version.
 */
export function serializableProvider(): pulumi.dynamic.ResourceProvider {
  // One object for every ApiKey: the SDK caches the serialized text per provider object, so a stack
  // of 500 keys serializes it once instead of 500 times.
  return (sharedStub ??= providerStub());
}

let sharedStub: pulumi.dynamic.ResourceProvider | undefined;

/** What the stub finds in the provider module (provider/hooks.ts, a re-export of apiKeyProvider.ts) when it loads it by name. */
interface ProviderModule {
  sharedProvider(): Required<pulumi.dynamic.ResourceProvider>;
}

function providerStub(): pulumi.dynamic.ResourceProvider {
  // `require` by name returns `any`: the installed package's provider module, which exports `sharedProvider`.
  const load = () => (require(PROVIDER_MODULE) as ProviderModule).sharedProvider();
  // Pulumi's dynamic-provider host prints a failure as `${error}: ${error.stack}`, and a stack starts
  // with `${error}`: every message came out twice in one line. The host reads only the message (and a
  // partial create's id and properties), so the stack it prints keeps the frames without the message.
  const once = (error: unknown): never => {
    if (error instanceof Error && typeof error.stack === "string" && error.stack.startsWith(String(error)))
      error.stack = `stack trace:${error.stack.slice(String(error).length)}`;
    throw error;
  };
  // A hook that throws before it returns a promise (or a package that fails to load) is caught too.
  const run = <T>(hook: () => Promise<T>): Promise<T> => Promise.resolve().then(hook).catch(once);
  return {
    configure: (req) => run(() => load().configure(req)),
    check: (olds, news) => run(() => load().check(olds, news)),
    diff: (id, olds, news) => run(() => load().diff(id, olds, news)),
    create: (inputs) => run(() => load().create(inputs)),
    read: (id, props) => run(() => load().read(id, props)),
    update: (id, olds, news) => run(() => load().update(id, olds, news)),
    delete: (id, props) => run(() => load().delete(id, props)),
  };
}

/**
 * An API key declared in a stack. `pulumi up` creates it and holds its one-time secret as a Pulumi
 * secret; `pulumi preview` shows privilege changes; replacing it (rotation) creates the new key
 * before the old one is revoked.
 */
export class ApiKey extends pulumi.dynamic.Resource {
  // The outputs (provider/keyState/outputs.ts OUTPUT_TABLE), then every declared input as the API stored it.
  // NativeApiKey declares the same members; provider/outputMembers.ts fails to compile when they drift.
  /** The key's public id (also its client id). */
  declare public readonly keyId: KeyOutput<"keyId">;
  /** The key's secret, a Pulumi secret. Undefined for an adopted key (see `secretAvailable`). */
  declare public readonly secret: KeyOutput<"secret">;
  /** False when the stack does not know the secret (an adopted key). */
  declare public readonly secretAvailable: KeyOutput<"secretAvailable">;
  /** True while a key whose create could not finish waits for its secret: the next `pulumi up` issues it. */
  declare public readonly secretPending: KeyOutput<"secretPending">;
  /** A non-secret prefix to recognise the key, e.g. `ak_live_AbCd…`. */
  declare public readonly hint: KeyOutput<"hint">;
  declare public readonly createdAt: KeyOutput<"createdAt">;
  /** When the current secret was issued. */
  declare public readonly rotatedAt: KeyOutput<"rotatedAt">;
  /**
   * When the key was last used, as the key API reported it at the last `pulumi refresh`; undefined
   * when it never was, or when the API does not say (Didomi). Never causes a change.
   */
  declare public readonly lastUsedAt: KeyOutput<"lastUsedAt">;
  declare public readonly organizationId: KeyOutput<"organizationId">;
  declare public readonly backend: KeyOutput<"backend">;
  /** For a backend that rotates in place: the credential its rotate call needs; a Pulumi secret. */
  declare public readonly rotationSecret: KeyOutput<"rotationSecret">;
  /** What the key API reported when it found the secret exposed (after a refresh); undefined otherwise. */
  declare public readonly exposure: KeyOutput<"exposure">;
  /** `leaked` once a refresh finds the key API revoked the key because its secret leaked; the next `up` replaces it. */
  declare public readonly revokedReason: KeyOutput<"revokedReason">;
  /** Old keys a rotation keeps working until their grace ends, where the API cannot schedule that (Didomi). */
  declare public readonly pendingRevocations: KeyOutput<"pendingRevocations">;
  declare public readonly displayName: KeyOutput<"displayName">;
  declare public readonly description: KeyOutput<"description">;
  declare public readonly environment: KeyOutput<"environment">;
  declare public readonly enabled: KeyOutput<"enabled">;
  declare public readonly privileges: KeyOutput<"privileges">;
  declare public readonly expiresAt: KeyOutput<"expiresAt">;
  declare public readonly lifetime: KeyOutput<"lifetime">;
  declare public readonly allowedIps: KeyOutput<"allowedIps">;
  declare public readonly deniedIps: KeyOutput<"deniedIps">;
  declare public readonly templateId: KeyOutput<"templateId">;
  declare public readonly additionalConfiguration: KeyOutput<"additionalConfiguration">;
  declare public readonly isInternal: KeyOutput<"isInternal">;
  /** A described API's scopes (connection.backend http), as the API stored them. */
  declare public readonly scopes: KeyOutput<"scopes">;
  declare public readonly rotation: KeyOutput<"rotation">;
  /** The connection settings declared on the resource; a Pulumi secret when they hold a token. */
  declare public readonly connection: KeyOutput<"connection">;
  declare public readonly adoptKeyId: KeyOutput<"adoptKeyId">;
  /** The labels stored with the key, the stack's own included. */
  declare public readonly metadata: KeyOutput<"metadata">;

  constructor(name: string, args: ApiKeyArgs = {}, opts: pulumi.CustomResourceOptions = {}) {
    super(serializableProvider(), name, apiKeyProps(name, args), apiKeyOptions(opts, args), "apikeys", "ApiKey");
  }
}

/**
 * What the dynamic ApiKey registers: the declared inputs (a token kept secret, the stack labels added)
 * and every output it exposes. The benchmark's engine floor (bench/engineFloor.ts) registers exactly
 * this through a no-op provider, so the floor is what the engine and SDK cost for a resource of this shape.
 */
export function apiKeyProps(name: string, args: ApiKeyArgs): pulumi.Inputs {
  const connection = args.connection === undefined ? undefined : pulumi.output(args.connection).apply((c) => (c?.token ? pulumi.secret(c) : c));
  return {
    ...outputPlaceholders(),
    ...args,
    displayName: args.displayName ?? name,
    connection,
    metadata: withStackLabels(name, args.metadata),
  };
}

/**
 * Outputs the provider makes from a connection setting of another name. The engine keeps an output of
 * a dynamic resource secret only where the input of the same name was (the dynamic-provider host
 * does not accept secrets), so these are named in `additionalSecretOutputs` whenever the setting is
 * given as an Output: whether an Output is secret is known only later, and marking a plain one
 * secret too hides a value, where leaving a secret one unmarked would write it in plain text.
 */
const OUTPUTS_FROM_CONNECTION = [
  { setting: "organizationId", output: "organizationId" },
  { setting: "backend", output: "backend" },
] as const;

/** The dynamic ApiKey's resource options: the secret outputs kept secret, and those made from a connection setting given as an Output. */
export function apiKeyOptions(opts: pulumi.CustomResourceOptions, args: ApiKeyArgs = {}): pulumi.CustomResourceOptions {
  const connection = args.connection;
  // A connection given whole as an Output or a promise: any of its settings may be secret.
  const settings: ConnectionArgs | undefined =
    connection === undefined || pulumi.Output.isInstance(connection) || connection instanceof Promise ? undefined : connection;
  const whole = connection !== undefined && settings === undefined;
  const fromOutputs = OUTPUTS_FROM_CONNECTION.filter(({ setting }) => whole || pulumi.Output.isInstance(settings?.[setting])).map(({ output }) => output);
  // lifetime: the API computes expiresAt from it.
  const expiry = pulumi.Output.isInstance(args.lifetime) ? ["expiresAt"] : [];
  return { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...SECRET_OUTPUTS, ...fromOutputs, ...expiry] };
}
