import type { ResolvedConnection } from "../connection/resolvedConnection";
import type { IssuedRemoteKey, RemoteKey } from "../backends/keyBackend";
import type { KeyExposure } from "./exposure";
import type { PendingRevocation } from "./pendingRevocations";
import { apiKeyInputsSchema, type ApiKeyInputs, type ApiKeyOutputs, type BackendName } from "./inputs";
import { keysOf } from "../records";
import { reportedFields } from "./spec";

/** Every output the provider fills in besides the declared inputs (which it stores too). */
export type KeyOutputName = Exclude<keyof ApiKeyOutputs, keyof ApiKeyInputs>;

/**
 * An output's type in the package schema, tied to its TypeScript type in `ApiKeyOutputs`: a string
 * output must say `string`, a list its items, an object each property (`optional` exactly where the
 * TypeScript property may be absent). The table below does not compile when the two disagree.
 */
export type OutputJsonSchema<T> =
  Present<T> extends string
    ? { readonly type: "string" }
    : Present<T> extends boolean
      ? { readonly type: "boolean" }
      : Present<T> extends number
        ? { readonly type: "number" }
        : Present<T> extends readonly (infer Item)[]
          ? { readonly type: "array"; readonly items: OutputJsonSchema<Item> }
          : {
              readonly type: "object";
              readonly properties: { readonly [K in keyof Present<T>]-?: OutputJsonSchema<Present<T>[K]> & OptionalFlag<Present<T>[K]> };
            };
type Present<T> = Exclude<T, undefined>;
/** `optional: true` where the value may be absent, and only there. */
type OptionalFlag<T> = undefined extends T ? { readonly optional: true } : { readonly optional?: never };

/** One row of the output table: whether Pulumi keeps it secret, what it is (one line), its schema type. */
export type OutputSpec<T> = { readonly secret?: true; readonly description: string; readonly schema: OutputJsonSchema<T> } & OptionalFlag<T>;

/**
 * The one table of a key's outputs. The package schema's output properties, `API_KEY_OUTPUTS`,
 * `SECRET_OUTPUTS` and the output reference in docs/inputs.md are made from it; both resource classes
 * declare each of its names (checked in provider/outputMembers.ts). Types come from `ApiKeyOutputs`.
 */
export const OUTPUT_TABLE = {
  keyId: { description: "The key's id on the key API (after an in-place rotation it differs from the resource id).", schema: { type: "string" } },
  secret: {
    secret: true,
    optional: true,
    description: "The key's secret. Absent for an adopted or imported key until it is rolled.",
    schema: { type: "string" },
  },
  secretAvailable: { description: "False when the stack does not know the secret (an adopted or imported key).", schema: { type: "boolean" } },
  secretPending: {
    optional: true,
    description: "True while a key whose create could not finish waits for its secret: the next `pulumi up` issues it.",
    schema: { type: "boolean" },
  },
  hint: { description: "A non-secret prefix to recognise the key, e.g. `ak_live_AbCd…`.", schema: { type: "string" } },
  createdAt: { description: "When the key was created (ISO-8601).", schema: { type: "string" } },
  rotatedAt: { description: "When the current secret was issued: creation, or the last rotation.", schema: { type: "string" } },
  lastUsedAt: {
    optional: true,
    description: "When the key was last used, as the key API reported it at the last refresh; absent if never, or if the API does not say (Didomi).",
    schema: { type: "string" },
  },
  backend: { description: "The key API the key lives on: `connection.backend` as resolved (`reference` by default).", schema: { type: "string" } },
  organizationId: { description: "The organization the key belongs to.", schema: { type: "string" } },
  rotationSecret: {
    secret: true,
    optional: true,
    description: "For a backend that rotates in place (Coveo): the credential its rotate call needs.",
    schema: { type: "string" },
  },
  exposure: {
    optional: true,
    description: "What the key API reported when it found the secret exposed, after a refresh.",
    schema: {
      type: "object",
      properties: {
        severity: { type: "string" },
        reasons: { type: "array", items: { type: "object", properties: { source: { type: "string" }, url: { type: "string", optional: true } } } },
        deactivatesAt: { type: "string", optional: true },
      },
    },
  },
  revokedReason: {
    optional: true,
    description: "`leaked` once a refresh finds the key API revoked the key because its secret leaked; the next `up` replaces it.",
    schema: { type: "string" },
  },
  pendingRevocations: {
    optional: true,
    description: "Old keys a rotation keeps working until their grace period ends (Didomi); the first `up` after that deletes them.",
    schema: { type: "array", items: { type: "object", properties: { keyId: { type: "string" }, revokeAfter: { type: "string" } } } },
  },
} as const satisfies { readonly [Name in KeyOutputName]: OutputSpec<ApiKeyOutputs[Name]> };

/** The table's names, in its order: both resource classes register each as a property not known yet (`outputPlaceholders`). */
export const API_KEY_OUTPUTS: readonly KeyOutputName[] = keysOf(OUTPUT_TABLE);

/** The outputs Pulumi must keep secret: the dynamic ApiKey names them in `additionalSecretOutputs`, the native provider returns them wrapped and flags them in its schema. */
export const SECRET_OUTPUTS: readonly KeyOutputName[] = API_KEY_OUTPUTS.filter((name) => "secret" in OUTPUT_TABLE[name]);

/**
 * Every property both resource classes expose, each not known yet: the table's outputs and every
 * declared input (the provider stores them as the API has them). A name left out here would be an
 * undefined member at run time, whatever the class declares.
 */
export function outputPlaceholders(): Partial<Record<keyof ApiKeyOutputs, undefined>> {
  return Object.fromEntries([...inputNames(), ...API_KEY_OUTPUTS].map((name) => [name, undefined]));
}

function inputNames(): readonly (keyof ApiKeyInputs)[] {
  // Read once (a list of names): building the input schema on every resource's construction would cost a schema build each.
  return (declaredInputs ??= keysOf(apiKeyInputsSchema().shape));
}
let declaredInputs: readonly (keyof ApiKeyInputs)[] | undefined;

/** The secret side of a key's state: what the API issued, or what an earlier step already holds. */
export interface SecretState {
  readonly secret?: string;
  readonly secretAvailable: boolean;
  readonly rotationSecret?: string;
}

/** What the API issued on a create or roll. */
export function issuedSecret(issued: Pick<IssuedRemoteKey, "secret" | "rotationSecret">): SecretState {
  return {
    ...(issued.secret !== undefined ? { secret: issued.secret } : {}),
    secretAvailable: issued.secret !== undefined,
    ...(issued.rotationSecret ? { rotationSecret: issued.rotationSecret } : {}),
  };
}

/** The secret already in state, carried forward unchanged. */
export function keptSecret(stored: SecretState): SecretState {
  return {
    ...(stored.secret !== undefined ? { secret: stored.secret } : {}),
    secretAvailable: stored.secretAvailable,
    ...(stored.rotationSecret !== undefined ? { rotationSecret: stored.rotationSecret } : {}),
  };
}

/**
 * Whether a stored key still waits for the secret its create could not issue (`secretPending`). A
 * partial record written before that flag existed has no `rotatedAt` (every finished step sets it);
 * an adopted or imported key has no secret either, but its owner holds one: it is not rolled.
 */
export function awaitsSecret(stored: Partial<ApiKeyOutputs>): boolean {
  if (stored.secretPending === true) return true;
  return stored.secretAvailable === false && typeof stored.keyId === "string" && !stored.adoptKeyId && stored.rotatedAt === undefined;
}

/** A key's state with no known secret (an adopted key, a key whose secret nobody has seen). */
export const NO_SECRET: SecretState = { secretAvailable: false };

export interface KeyOutputParts {
  /**
   * The checked inputs (never the serialized provider), or the stored outputs (a read), whose
   * exposure, last use, revocation and pending revocations this step replaces.
   */
  readonly declared: ApiKeyInputs & Partial<Pick<ApiKeyOutputs, "exposure" | "revokedReason" | "lastUsedAt" | "pendingRevocations">>;
  readonly connection: Pick<ResolvedConnection, "organizationId"> & { readonly backend: BackendName };
  readonly keyId: string;
  /** The key as the API last reported it; absent when this step did not ask (an update of labels only). */
  readonly remote?: RemoteKey;
  readonly secret: SecretState;
  /** Old keys still working after a rotation (see PendingRevocation): by default those in `declared` (stored outputs). */
  readonly pendingRevocations?: readonly PendingRevocation[];
  /** What the API last reported about an exposure of the secret: the remote key's by default; undefined clears it. */
  readonly exposure?: KeyExposure;
  /**
   * The key's last use: the remote key's when this step asked the API, else this value (an update
   * that made no API call passes the stored one, so it survives until the next refresh).
   */
  readonly lastUsedAt?: string;
  readonly hint: string;
  readonly createdAt: string;
  readonly rotatedAt: string;
}

/**
 * The one place a key's outputs are put together. Outputs replace the stored ones wholesale, so
 * everything the engine should keep (the secret, what the API issued) must be in `parts`.
 */
export function keyOutputs(parts: KeyOutputParts): ApiKeyOutputs {
  // Stored outputs passed as the declaration (read) carry the last exposure: this step's replaces it.
  // So do the last use (a read's answer says whether and when it was used since) and the revocation.
  const { exposure: _lastExposure, revokedReason: _lastRevocation, lastUsedAt: _lastUse, pendingRevocations: stored, ...declared } = parts.declared;
  const pendingRevocations = "pendingRevocations" in parts ? parts.pendingRevocations : stored;
  const exposure = "exposure" in parts ? parts.exposure : parts.remote?.exposure;
  // The API's answer is the truth when there is one, including "never used" (no lastUsedAt).
  const lastUsedAt = parts.remote ? parts.remote.lastUsedAt : parts.lastUsedAt;
  return {
    ...declared,
    ...(parts.remote ? reportedFields(parts.remote) : {}),
    backend: parts.connection.backend,
    organizationId: parts.connection.organizationId,
    keyId: parts.keyId,
    ...parts.secret,
    ...(exposure ? { exposure } : {}),
    ...(parts.remote?.revokedReason ? { revokedReason: parts.remote.revokedReason } : {}),
    ...(lastUsedAt ? { lastUsedAt } : {}),
    ...(pendingRevocations && pendingRevocations.length > 0 ? { pendingRevocations } : {}),
    hint: parts.hint,
    createdAt: parts.createdAt,
    rotatedAt: parts.rotatedAt,
  };
}
