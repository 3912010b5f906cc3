/** How hard the provider tries before reporting an API error. */
export interface RetryPolicy {
  /** Total attempts, the first included. */
  readonly maxAttempts: number;
  /** First backoff; each next one doubles, with full jitter. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Retry-After is honoured up to this long. */
  readonly maxRetryAfterMs: number;
}

/** One tunable part of the retry policy: the environment variable that sets it, and its default. */
export interface RetrySetting {
  readonly envVar: string;
  readonly default: number;
}

/** How long a Retry-After is honoured: fixed, no variable sets it. */
const MAX_RETRY_AFTER_MS = 60_000;

/**
 * 6 attempts, 250 ms doubling to 8 s with full jitter: about 16 s of backoff at worst, before any
 * Retry-After. The one table of the policy's variables (read when a request is made), one row per
 * part of RetryPolicy a user may tune.
 */
export const RETRY_SETTINGS: { readonly [Part in Exclude<keyof RetryPolicy, "maxRetryAfterMs">]-?: RetrySetting } = {
  maxAttempts: { envVar: "APIKEYS_MAX_ATTEMPTS", default: 6 },
  baseDelayMs: { envVar: "APIKEYS_RETRY_BASE_MS", default: 250 },
  maxDelayMs: { envVar: "APIKEYS_RETRY_MAX_MS", default: 8000 },
};

export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  // A value that is not a non-negative number is ignored: the default holds.
  const read = ({ envVar, default: fallback }: RetrySetting) => {
    const value = env[envVar];
    const n = Number(value);
    return value !== undefined && Number.isFinite(n) && n >= 0 ? n : fallback;
  };
  return {
    maxAttempts: Math.max(1, Math.floor(read(RETRY_SETTINGS.maxAttempts))),
    baseDelayMs: read(RETRY_SETTINGS.baseDelayMs),
    maxDelayMs: read(RETRY_SETTINGS.maxDelayMs),
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
  };
}

/** Full-jitter exponential backoff for attempt n (1-based), or the server's Retry-After when it gave one. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, retryAfterHeader?: string, random: () => number = Math.random): number {
  const retryAfter = parseRetryAfterMs(retryAfterHeader);
  if (retryAfter !== undefined) return Math.min(retryAfter, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After is either delta-seconds or an HTTP date. */
function parseRetryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const RETRYABLE_NETWORK = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ERR_BAD_RESPONSE",
  "ERR_NETWORK",
  "ENOTFOUND",
]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

export function isRetryableNetworkCode(code: string | undefined): boolean {
  return code !== undefined && RETRYABLE_NETWORK.has(code);
}
