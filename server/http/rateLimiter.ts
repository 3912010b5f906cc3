/**
 * A token bucket per caller (a token id, or a source address), in memory per replica. Replicas do not
 * share buckets, so the effective limit behind N replicas is up to N times the configured rate.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request's worth; answers how many seconds to wait when the bucket is empty. */
  take(caller: string): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
    if (this.ratePerSecond <= 0) return { allowed: true };
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.ratePerSecond);
    bucket.updatedAt = now;
    this.buckets.set(caller, bucket);
    if (this.buckets.size > 100_000) this.buckets.clear();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)) };
  }
}
