import type { z } from "zod";
import { storedJson, storedLiteral } from "../db/storedValues";
import { ENVIRONMENTS } from "../ids";
import { verifiedKeySchema } from "./schemas";

/** What verification needs to know about a secret, as read from the database. */
export interface VerifiedSecretRow {
  readonly id: string;
  readonly orgId: string;
  readonly displayName: string;
  readonly environment: string;
  readonly enabled: number;
  readonly privileges: string;
  readonly keyExpiresAt: string | null;
  readonly revokedAt: string | null;
  readonly revokesAt: string | null;
  readonly secretExpiresAt: string | null;
}

/** Who a key is, as a verification answers it (the answer's schema, server/verify/schemas.ts). */
export type VerifiedIdentity = z.infer<ReturnType<typeof verifiedKeySchema>>;

/**
 * A secret's row made ready to verify: the identity parsed and serialized once, the times as
 * milliseconds. A hot key then costs a Map lookup and four number comparisons, no parsing.
 */
export interface VerifiedSecret {
  readonly keyId: string;
  readonly enabled: boolean;
  readonly revoked: boolean;
  /** When it stops verifying, in ms (Infinity for never): its scheduled revoke, its secret's expiry, the key's expiry. */
  readonly revokesAtMs: number;
  readonly secretExpiresAtMs: number;
  readonly keyExpiresAtMs: number;
  readonly identity: VerifiedIdentity;
  /** `identity` as JSON: the 200 answer's body. */
  readonly identityJson: string;
}

const millis = (iso: string | null) => (iso === null ? Infinity : Date.parse(iso));

/** The privileges' schema in a verification's answer, built at its first use: it parses the stored column. */
let privilegesSchema: ReturnType<typeof verifiedKeySchema>["shape"]["privileges"] | undefined;

export function verifiedSecretOf(row: VerifiedSecretRow): VerifiedSecret {
  const identity: VerifiedIdentity = {
    keyId: row.id,
    organizationId: row.orgId,
    displayName: row.displayName,
    environment: storedLiteral(ENVIRONMENTS, row.environment, `keys.environment of ${row.id}`),
    privileges: storedJson((privilegesSchema ??= verifiedKeySchema().shape.privileges), row.privileges, `keys.privileges of ${row.id}`),
    expiresAt: row.keyExpiresAt,
  };
  return {
    keyId: row.id,
    enabled: row.enabled === 1,
    revoked: row.revokedAt !== null,
    revokesAtMs: millis(row.revokesAt),
    secretExpiresAtMs: millis(row.secretExpiresAt),
    keyExpiresAtMs: millis(row.keyExpiresAt),
    identity,
    identityJson: JSON.stringify(identity),
  };
}

/**
 * Verified secrets by hash for a few seconds, so a hot key verifies without a database read.
 * Times (expiry, grace ends) are evaluated on every use, so a cached key still expires on time.
 * A change on this replica drops the key at once; a change made through another replica is seen
 * here within `ttlMs` (5 s by default, APIKEYS_VERIFY_CACHE_MS; 0 turns the cache off).
 * Unknown secrets are never cached: a guessing client cannot fill the memory.
 *
 * An entry keeps the time it was cached at, not an end time: an entry cached while the server's clock
 * ran ahead is stale once the clock is put right (cached "after now"). With `cachedAt + ttlMs` kept
 * instead, it stayed fresh for as long as the clock had been ahead, and a key revoked through another
 * replica went on verifying here for that long.
 */
export class VerifyCache {
  private readonly entries = new Map<string, { secret: VerifiedSecret; cachedAt: number }>();
  hits = 0;
  misses = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  get(hash: string, nowMs: number): VerifiedSecret | undefined {
    const entry = this.entries.get(hash);
    // Fresh: cached no later than now and less than ttlMs ago (a step back makes it stale, not older).
    if (entry && entry.cachedAt <= nowMs && nowMs - entry.cachedAt < this.ttlMs) {
      this.hits++;
      return entry.secret;
    }
    if (entry) this.entries.delete(hash);
    this.misses++;
    return undefined;
  }

  set(hash: string, secret: VerifiedSecret, nowMs: number): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // A Map iterates in insertion order: its first key is the oldest entry.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(hash, { secret, cachedAt: nowMs });
  }

  invalidateKey(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.secret.keyId === keyId) this.entries.delete(hash);
  }

  get size(): number {
    return this.entries.size;
  }
}
