/**
 * A token bucket per caller (a token id, or a source address), in memory per replica. Replicas do not
 * share buckets, so the effective limit behind N replicas is up to N times the configured rate.
 * The time comes from the caller (the server's clock, `ServerContext.now`), so tests move it instead
 * of depending on how fast the machine sends requests.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes one request's worth; answers how many seconds to wait when the bucket is empty. */
  take(caller: string, now: Date): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    if (this.ratePerSecond <= 0) return { allowed: true };
    const nowMs = now.getTime();
    const bucket = this.buckets.get(caller) ?? { tokens: this.burst, updatedAt: nowMs };
    // A clock that steps back (NTP, a resumed VM) refills nothing and takes nothing: counting the
    // negative time would empty the bucket and refuse a caller within its rate until the clock caught up.
    const elapsedMs = Math.max(0, nowMs - bucket.updatedAt);
    bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsedMs / 1000) * this.ratePerSecond);
    bucket.updatedAt = Math.max(bucket.updatedAt, nowMs);
    this.buckets.set(caller, bucket);
    if (this.buckets.size > 100_000) this.buckets.clear();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)) };
  }
}
