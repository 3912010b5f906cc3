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

/**
 * Verified secrets by hash for a few seconds, so a hot key verifies without a database read.
 * Times (expiry, grace ends) are evaluated on every use, so a cached key still expires on time.
 * A change on this replica drops the key at once; a change made through another replica is seen
 * here within `ttlMs` (5 s by default, APIKEYS_VERIFY_CACHE_MS; 0 turns the cache off).
 * Unknown secrets are never cached: a guessing client cannot fill the memory.
 */
export class VerifyCache {
  private readonly entries = new Map<string, { row: VerifiedSecretRow; until: number }>();
  hits = 0;
  misses = 0;

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  get(hash: string, nowMs: number): VerifiedSecretRow | undefined {
    const entry = this.entries.get(hash);
    if (entry && entry.until > nowMs) {
      this.hits++;
      return entry.row;
    }
    if (entry) this.entries.delete(hash);
    this.misses++;
    return undefined;
  }

  set(hash: string, row: VerifiedSecretRow, nowMs: number): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { row, until: nowMs + this.ttlMs });
  }

  invalidateKey(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.row.id === keyId) this.entries.delete(hash);
  }

  get size(): number {
    return this.entries.size;
  }
}
