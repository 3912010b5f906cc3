import type { Privilege } from "../../shared/privilege";

/** The fields of a key that a declaration controls; a backend says which of them it can change in place. */
export type KeyField = "displayName" | "description" | "environment" | "enabled" | "privileges" | "expiresAt";

/** What the stack declares for a key, normalized by `check`. */
export interface KeySpec {
  readonly displayName: string;
  readonly description: string;
  readonly environment: "live" | "test";
  readonly enabled: boolean;
  readonly privileges: readonly Privilege[];
  readonly expiresAt?: string;
  /** Labels that mark a key as managed by a stack (the console warns before hand edits). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A key as the backend reports it. Never holds the secret. */
export interface RemoteKey extends KeySpec {
  readonly id: string;
  readonly hint: string;
  readonly createdAt: string;
}

/** The answer to a create or roll. `secret` is absent only when the API will not show it again. */
export interface IssuedRemoteKey {
  readonly key: RemoteKey;
  readonly secret?: string;
}

/**
 * One key API. The provider talks to every vendor through this and nothing else; a vendor that
 * cannot change a field in place leaves it out of `updatableFields` and `diff` replaces the key.
 */
export interface KeyBackend {
  readonly name: string;
  readonly updatableFields: ReadonlySet<KeyField>;
  /** Must be safe to retry: the same idempotency key never yields a second key. */
  create(spec: KeySpec, options: { idempotencyKey: string; label: string }): Promise<IssuedRemoteKey>;
  /** `undefined` when the key no longer exists (deleted or revoked out of band). */
  get(id: string, options: { label: string }): Promise<RemoteKey | undefined>;
  update(id: string, changes: Partial<KeySpec>, options: { label: string }): Promise<RemoteKey>;
  /** A key that is already gone counts as deleted. */
  delete(id: string, options: { label: string; gracePeriodSeconds: number }): Promise<void>;
  /** A new secret for the same key; the old one keeps working for the grace period. */
  roll(id: string, options: { label: string; gracePeriodSeconds: number; idempotencyKey: string }): Promise<IssuedRemoteKey>;
}
