import type { KeyExposure } from "../keyState/exposure";
import type { ApiKeyInputs, KeyField } from "../keyState/inputs";

export type { KeyField };

/**
 * What the stack declares for a key, as `check` normalized it (defaults applied): the key's own
 * fields and its labels. A backend reads the fields it supports and ignores the rest.
 */
export type KeySpec = Readonly<Pick<ApiKeyInputs, KeyField | "metadata">>;

/** Fields every other backend reports, but an API described in a file may not store at all. */
type StoredOnlyByStack = "displayName" | "description" | "enabled" | "privileges";

/** A key as the backend reports it. Never holds the secret. */
export type RemoteKey = Readonly<
  Omit<KeySpec, "environment" | StoredOnlyByStack> &
    /** Absent where the API neither takes nor answers the field (a described API): the declared value stays. */
    Partial<Pick<KeySpec, StoredOnlyByStack>> & {
      readonly id: string;
      /** Absent for APIs without live/test environments. */
      readonly environment?: "live" | "test";
      readonly hint: string;
      readonly createdAt: string;
      /**
       * When the key was last used to call the API, as the key API reports it; absent when it never
       * was, or when the API does not say (then the descriptor's `reportsLastUse` is false).
       */
      readonly lastUsedAt?: string;
      /** Set when the API reports the secret found exposed. */
      readonly exposure?: KeyExposure;
      /**
       * Set when the API revoked the key itself because its secret leaked: `get` answers such a key
       * (instead of undefined) so the stack can say why it is replaced.
       */
      readonly revokedReason?: "leaked";
    }
>;

/** The answer to a create or roll. `secret` is absent only when the API will not show it again. */
export interface IssuedRemoteKey {
  /** The key as the API answered it. */
  readonly key: RemoteKey;
  /** The key's secret, as the API showed it this once; it goes into state as a Pulumi secret only. */
  readonly secret?: string;
  /** For APIs that rotate in place: the credential their rotate call takes to issue this key's successor. */
  readonly rotationSecret?: string;
}

/** What a roll (a new secret for an existing key) is told besides the key's id. */
export interface RollOptions {
  /** The key as messages name it (resource name and key id), for errors. */
  readonly label: string;
  /** How long the old secret keeps working, in seconds; 0 ends it at once. */
  readonly gracePeriodSeconds: number;
  /** Sent to APIs that deduplicate retries, so a retried roll issues one secret. */
  readonly idempotencyKey: string;
  /** The rotation secret stored when the key was issued (APIs that rotate in place). */
  readonly rotationSecret?: string;
  /** The lifetime of the new key, where the API takes one. */
  readonly lifetime?: string;
  /** What the stack declares for the key: an API that rotates by making a successor makes it from this. */
  readonly spec?: KeySpec;
}

/**
 * One key API. The provider talks to every vendor through this and nothing else; a vendor that
 * cannot change a field in place leaves it out of `updatableFields` and `diff` replaces the key.
 */
export interface KeyBackend {
  /** The backend's name in messages (its descriptor's `name`). */
  readonly name: string;
  /** The fields `update` changes in place (the descriptor's `updatableFields`). */
  readonly updatableFields: ReadonlySet<KeyField>;
  /** Must be safe to retry: a retried create never leaves a second key behind. */
  create(spec: KeySpec, options: { idempotencyKey: string; label: string }): Promise<IssuedRemoteKey>;
  /** `undefined` when the key no longer exists (deleted or revoked out of band), except a key revoked as leaked (see `revokedReason`). */
  get(id: string, options: { label: string }): Promise<RemoteKey | undefined>;
  /** `null` for a field asks the API to clear it. */
  update(id: string, changes: KeyChanges, options: { label: string }): Promise<RemoteKey>;
  /** A key that is already gone counts as deleted. */
  delete(id: string, options: { label: string; gracePeriodSeconds: number }): Promise<void>;
  /**
   * A new secret; the old one keeps working for the grace period. The issued key's id may differ
   * from `id` (an API that rotates in place may make a new key inheriting the old one's settings).
   */
  roll(id: string, options: RollOptions): Promise<IssuedRemoteKey>;
}

/** The fields an update changes, with `null` to clear an optional one. */
export type KeyChanges = { readonly [F in keyof KeySpec]?: KeySpec[F] | null };
