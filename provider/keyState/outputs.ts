import type { ResolvedConnection } from "../connection/resolvedConnection";
import type { IssuedRemoteKey, RemoteKey } from "../backends/keyBackend";
import type { KeyExposure } from "./exposure";
import type { PendingRevocation } from "./pendingRevocations";
import type { ApiKeyInputs, ApiKeyOutputs, BackendName } from "./inputs";
import { reportedFields } from "./spec";

/**
 * The outputs Pulumi must keep secret: the dynamic ApiKey names them in `additionalSecretOutputs`,
 * the native provider returns them wrapped and flags them in its schema.
 */
export const SECRET_OUTPUTS = ["secret", "rotationSecret"] as const satisfies readonly (keyof ApiKeyOutputs)[];

/**
 * The outputs an ApiKey has besides its declared inputs, which the provider fills in: both resource
 * classes (dynamic and native) register each as a property not known yet (`outputPlaceholders`).
 */
export const API_KEY_OUTPUTS = [
  "keyId",
  "secret",
  "secretAvailable",
  "hint",
  "createdAt",
  "rotatedAt",
  "lastUsedAt",
  "organizationId",
  "backend",
  "rotationSecret",
  "exposure",
  "revokedReason",
  "pendingRevocations",
] as const satisfies readonly (keyof ApiKeyOutputs)[];

export type ApiKeyOutputName = (typeof API_KEY_OUTPUTS)[number];

/** Every output as a property not known yet: what a resource registers so the engine's answer fills it. */
export function outputPlaceholders(): Partial<Record<ApiKeyOutputName, undefined>> {
  return Object.fromEntries(API_KEY_OUTPUTS.map((name) => [name, undefined]));
}

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
