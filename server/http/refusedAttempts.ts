import { ApiError } from "./apiError";
import { RateLimiter } from "./rateLimiter";

/**
 * Limits on refused attempts only (a wrong key, a wrong admin token). A valid key or token is never
 * checked against these buckets, so no one can lock a real user out by sending junk that shares the
 * user's address or the key's public prefix. A refused attempt uses up one token of each bucket it
 * names; once any of them is empty, refusals answer 429 with Retry-After instead of 401, telling a
 * client to back off.
 */
export class RefusedAttempts {
  private readonly limiter: RateLimiter;

  constructor(ratePerSecond: number, burstSeconds: number) {
    this.limiter = new RateLimiter(ratePerSecond, ratePerSecond * burstSeconds);
  }

  /** Records one refusal against each bucket at `now` (the server's clock); answers the 429 to send if any bucket is now over. */
  record(buckets: readonly string[], what: string, now: Date): ApiError | undefined {
    let retryAfterSeconds = 0;
    for (const bucket of buckets) {
      const taken = this.limiter.take(bucket, now);
      if (!taken.allowed) retryAfterSeconds = Math.max(retryAfterSeconds, taken.retryAfterSeconds);
    }
    if (retryAfterSeconds === 0) return undefined;
    return new ApiError(429, "RATE_LIMITED", `too many refused ${what}; retry after ${retryAfterSeconds}s`, {
      headers: { "Retry-After": String(retryAfterSeconds) },
    });
  }
}
