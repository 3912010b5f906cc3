import type { z } from "zod";
import type { ResolvedConnection } from "../connection/resolvedConnection";
import type { KeyBackend, KeyField } from "./keyBackend";

/**
 * Inputs every backend knows the name of but not every key API has. A backend lists the ones it
 * supports (and its own `inputFields`); `check` refuses the others on it, naming who has them.
 */
export const SHARED_OPTIONAL_INPUTS = [
  "environment",
  "privileges",
  "expiresAt",
  "lifetime",
  "connection.region",
  "rotation.renewBeforeExpiry",
  "rotation.onExposure",
  "rotation.rollOnAdopt",
] as const;
/** One of the shared optional inputs, as `supportedInputs` names it. */
export type SharedOptionalInput = (typeof SHARED_OPTIONAL_INPUTS)[number];

/** Everything the provider knows about one key API without calling it: one per folder under `backends/`. */
export interface BackendDescriptor<Fields extends z.ZodRawShape = z.ZodRawShape, Region extends string = string> {
  /** The value of `connection.backend` / `apikeys:backend` that picks it. */
  readonly name: string;
  /** Inputs this API adds to the ApiKey, as zod fields (all optional); merged into the input schema. */
  inputFields(): Fields;
  /** The optional inputs it supports (its own fields included); `check` fails on any other one that is set. */
  readonly supportedInputs: readonly string[];
  /**
   * Why an optional input (shared, or another backend's own) means nothing here and what to do
   * instead, where the generic message would not say; `enabled` where keys cannot be disabled.
   */
  readonly unsupportedHints?: Readonly<Partial<Record<string, string>>>;
  /** False when the API cannot disable a key: `check` refuses `enabled: false` (with `unsupportedHints.enabled`). */
  readonly canDisable?: boolean;
  /** Fields the API changes in place; `diff` replaces the key for any other declared change. */
  readonly updatableFields: ReadonlySet<KeyField>;
  /**
   * How a rotation is carried out: `replace` creates a new key before the old one is deleted (with
   * the grace period); `rotate` asks the API for a successor and keeps the Pulumi resource.
   */
  readonly rotation: "replace" | "rotate";
  /**
   * The API can give an existing key a new secret and keep its id (a roll). An adopted key is rotated
   * that way: replacing it would re-adopt the same key and then delete it.
   */
  readonly rollsInPlace: boolean;
  /**
   * Who keeps an old key working through the grace period after a rotation: the key API (it
   * schedules the end itself), or the stack (the old key is recorded in `pendingRevocations` and a
   * later `up` deletes it: for APIs that can only delete at once).
   */
  readonly graceKeptBy: "api" | "stack";
  /**
   * The API says when a key was last used (`RemoteKey.lastUsedAt`): a key without one was never used.
   * When false, last use is unknown and the credential report makes no finding about it.
   */
  readonly reportsLastUse: boolean;
  /** The longest grace period the API can honour, in seconds. */
  readonly maxGracePeriodSeconds: number;
  /** The API's regions, when `connection.region` picks its host. */
  readonly regions?: readonly Region[];
  /** Where the API lives when no endpoint is configured; undefined for a region it does not have. */
  defaultEndpoint?(connection: { region?: string }): string | undefined;
  /**
   * The connection settings a key needs from the stack (resource, config or environment): all three
   * by default. An API whose description supplies one (a token from its own environment variable)
   * leaves it out.
   */
  readonly requiredSettings?: readonly ("endpoint" | "token" | "organizationId")[];
  /** The organization keys belong to when none is configured; required otherwise. */
  defaultOrganizationId?(): string | undefined;
  /**
   * For a backend whose capabilities depend on the connection (the http backend reads them from the
   * description file `connection.api` names): the descriptor for that connection. Throws a
   * ConnectionConfigError naming the setting (and the field of the file) that is wrong.
   */
  forConnection?(settings: ConnectionSettingsForDescriptor, env: NodeJS.ProcessEnv): BackendDescriptor;
  /** A client for one connection. Called per operation: credentials are never kept between calls. */
  create(connection: ResolvedConnection, env: NodeJS.ProcessEnv): KeyBackend;
}

/** What a per-connection descriptor is resolved from (see `forConnection`): the settings as declared or configured. */
export interface ConnectionSettingsForDescriptor {
  /** `connection.api`: the key API description file (the http backend). */
  readonly api?: string;
  /** `connection.endpoint`, when set: it overrides the descriptor's default endpoint. */
  readonly endpoint?: string;
  /** `connection.region`, for an API whose region picks its host. */
  readonly region?: string;
}

/**
 * The descriptor that holds for one connection: the backend's own, or the one it resolves from the
 * connection (`forConnection`). Throws what `forConnection` throws.
 */
export function descriptorFor(descriptor: BackendDescriptor, settings: ConnectionSettingsForDescriptor, env: NodeJS.ProcessEnv): BackendDescriptor {
  return descriptor.forConnection ? descriptor.forConnection(settings, env) : descriptor;
}

/** A descriptor, with its supported inputs checked against the shared optional inputs and its own fields. */
export function defineBackend<Fields extends z.ZodRawShape, Region extends string = string>(
  descriptor: BackendDescriptor<Fields, Region> & { readonly supportedInputs: readonly (SharedOptionalInput | Extract<keyof Fields, string>)[] },
): BackendDescriptor<Fields, Region> {
  return descriptor;
}
