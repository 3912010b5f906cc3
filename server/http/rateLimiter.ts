/**
 * A token bucket per caller (a token id, or a source address), in memory per replica. Replicas do not
 * share buckets, so the effective limit behind N replicas is up to N times the configured rate.
 * The time comes from the caller (the server's clock, `ServerContext.now`), so tests move it instead
 * of depending on how fast the machine sends requests.
 *
 * That clock can step either way (NTP, a resumed VM, an operator putting it right). A bucket refills
 * only for time it saw pass: a step back refills nothing and moves the bucket's time back with the
 * clock, so refilling goes on from there at the configured rate. Keeping the latest time ever seen
 * instead refused a caller within its rate for as long as the clock had been ahead (issue 34). A step
 * forward refills at most a full bucket (the burst), so a clock going back and forth gives a
 * guesser at most one bucket per step, never more than the burst at once.
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
    // Negative time (a step back) counts as none: counting it would empty the bucket.
    const elapsedMs = Math.max(0, nowMs - bucket.updatedAt);
    bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsedMs / 1000) * this.ratePerSecond);
    bucket.updatedAt = nowMs;
    this.buckets.set(caller, bucket);
    if (this.buckets.size > 100_000) this.buckets.clear();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)) };
  }
}
