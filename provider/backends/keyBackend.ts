import type { Privilege } from "../../shared/privilege";

/** The fields of a key that a declaration controls; a backend says which of them it can change in place. */
export type KeyField =
  | "displayName"
  | "description"
  | "environment"
  | "enabled"
  | "privileges"
  | "expiresAt"
  | "allowedIps"
  | "deniedIps"
  | "lifetime"
  | "templateId"
  | "additionalConfiguration"
  | "isInternal";

/** Every declared field of a key, in the order `diff` reports them. */
export const KEY_FIELDS: readonly KeyField[] = [
  "displayName",
  "description",
  "environment",
  "enabled",
  "privileges",
  "expiresAt",
  "allowedIps",
  "deniedIps",
  "lifetime",
  "templateId",
  "additionalConfiguration",
  "isInternal",
];

/** What the stack declares for a key, normalized by `check`. Vendor-only fields are absent elsewhere. */
export interface KeySpec {
  readonly displayName: string;
  readonly description: string;
  readonly environment: "live" | "test";
  readonly enabled: boolean;
  readonly privileges: readonly Privilege[];
  readonly expiresAt?: string;
  /** Labels that mark a key as managed by a stack (the console warns before hand edits). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Coveo: IP addresses or CIDR ranges allowed / denied. */
  readonly allowedIps?: readonly string[];
  readonly deniedIps?: readonly string[];
  /** Coveo: ISO-8601 duration the key lives for (`lifetimeDuration`). */
  readonly lifetime?: string;
  /** Coveo: the API key template the key is made from (`apiKeyTemplateId`). */
  readonly templateId?: string;
  readonly additionalConfiguration?: Readonly<Record<string, unknown>>;
  /** Didomi: `is_internal`. */
  readonly isInternal?: boolean;
}

/** A key as the backend reports it. Never holds the secret. */
export interface RemoteKey extends Omit<KeySpec, "environment"> {
  readonly id: string;
  /** Absent for vendors without live/test environments. */
  readonly environment?: "live" | "test";
  readonly hint: string;
  readonly createdAt: string;
}

/** The answer to a create or roll. `secret` is absent only when the API will not show it again. */
export interface IssuedRemoteKey {
  readonly key: RemoteKey;
  readonly secret?: string;
  /** Coveo: the credential its rotate endpoint takes to issue this key's successor. */
  readonly rotationSecret?: string;
}

export interface RollOptions {
  readonly label: string;
  readonly gracePeriodSeconds: number;
  readonly idempotencyKey: string;
  /** Coveo: the rotation secret stored when the key was issued. */
  readonly rotationSecret?: string;
  /** Coveo: the lifetime of the new key. */
  readonly lifetime?: string;
}

/**
 * One key API. The provider talks to every vendor through this and nothing else; a vendor that
 * cannot change a field in place leaves it out of `updatableFields` and `diff` replaces the key.
 */
export interface KeyBackend {
  readonly name: string;
  readonly updatableFields: ReadonlySet<KeyField>;
  /** Must be safe to retry: a retried create never leaves a second key behind. */
  create(spec: KeySpec, options: { idempotencyKey: string; label: string }): Promise<IssuedRemoteKey>;
  /** `undefined` when the key no longer exists (deleted or revoked out of band). */
  get(id: string, options: { label: string }): Promise<RemoteKey | undefined>;
  update(id: string, changes: Partial<KeySpec>, options: { label: string }): Promise<RemoteKey>;
  /** A key that is already gone counts as deleted. */
  delete(id: string, options: { label: string; gracePeriodSeconds: number }): Promise<void>;
  /**
   * A new secret; the old one keeps working for the grace period. The issued key's id may differ
   * from `id` (Coveo's rotation makes a new key that inherits the old one's settings).
   */
  roll(id: string, options: RollOptions): Promise<IssuedRemoteKey>;
}
