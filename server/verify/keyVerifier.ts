import type { ServerContext } from "../context";
import { ApiError } from "../http/apiError";
import { RateLimiter } from "../http/rateLimiter";
import type { RefusedAttempts } from "../http/refusedAttempts";
import type { VerifiedIdentity } from "./verifyCache";
import { verifyKey, type VerifyResult } from "./verifyKey";

/** The key in an `Authorization` header: `Api-Key <key>` or `Bearer <key>`. */
const AUTHORIZATION = /^(?:Api-Key|Bearer)\s+(\S+)$/i;
const MISSING_MESSAGE = "send the key as Authorization: Api-Key <key>, Authorization: Bearer <key>, or x-client-id + x-api-key";

type RateTaken = ReturnType<RateLimiter["take"]>;

/** What a verification request carries, whichever way it arrives (Hono or the fast path). */
export interface VerifyRequest {
  /** The `Authorization` header. */
  readonly authorization?: string;
  readonly apiKey?: string;
  readonly clientId?: string;
  readonly clientAddress: string;
}

/** The answer: who the key is (200), or why it is refused (401). A 429 is thrown as an ApiError. */
export type VerifyAnswer =
  | { readonly status: 200; readonly body: VerifiedIdentity; /** `body` as JSON, serialized once per key. */ readonly json: string }
  | { readonly status: 401; readonly error: { readonly code: "UNAUTHENTICATED"; readonly reason: string; readonly message: string } };

/**
 * Verification: the key itself authenticates, sent the way our users' systems send it. A key that
 * verifies is always answered 200: the limits count every request per address but only turn
 * refusals into 429 (a hash lookup costs the same whatever its outcome, so refusing a right key
 * would save nothing and would let anyone sharing an address or knowing the public hint lock it out).
 * One instance per server: `GET /v1/whoami`'s fast path and the Hono routes share its buckets.
 */
export class KeyVerifier {
  private readonly perAddress: RateLimiter;

  constructor(
    private readonly ctx: ServerContext,
    private readonly options: { verifyRateLimitPerSecond: number; refused: RefusedAttempts },
  ) {
    this.perAddress = new RateLimiter(options.verifyRateLimitPerSecond, options.verifyRateLimitPerSecond * 2);
  }

  /**
   * A key served from the cache is answered synchronously (see verifyKey); a refusal past the limits
   * is thrown as a 429 ApiError, from here or from the promise. Callers `await` it either way.
   */
  answer(request: VerifyRequest): VerifyAnswer | Promise<VerifyAnswer> {
    const address = request.clientAddress;
    // One reading of the server's clock per request: the buckets, expiry and grace all use it.
    const now = this.ctx.now();
    const addressRate = this.perAddress.take(address, now);
    const fromAuthorization = request.authorization === undefined ? undefined : AUTHORIZATION.exec(request.authorization)?.[1];
    const secret = fromAuthorization ?? request.apiKey;
    if (!secret) {
      return this.refuse(now, addressRate, "MISSING", MISSING_MESSAGE, [`verify-address:${address}`]);
    }
    const result = verifyKey(this.ctx, secret, fromAuthorization ? undefined : request.clientId, now);
    if (result instanceof Promise) return result.then((settled) => this.answerFor(settled, secret, address, now, addressRate));
    return this.answerFor(result, secret, address, now, addressRate);
  }

  private answerFor(result: VerifyResult, secret: string, address: string, now: Date, addressRate: RateTaken): VerifyAnswer {
    if (result.ok) return { status: 200, body: result.verified.identity, json: result.verified.identityJson };
    // Guesses at one environment's keys share a prefix bucket, whatever address they come from.
    const guessBuckets = result.reason === "NOT_FOUND" ? [`verify-address:${address}`, `verify-prefix:${secret.slice(0, 12)}`] : [];
    return this.refuse(now, addressRate, result.reason, `key refused: ${result.reason}`, guessBuckets);
  }

  /** Guesses (unknown or missing secrets) use up the refusal buckets; a known key that is revoked or disabled does not. */
  private refuse(now: Date, addressRate: RateTaken, reason: string, message: string, guessBuckets: string[]): VerifyAnswer {
    const tooMany = guessBuckets.length > 0 ? this.options.refused.record(guessBuckets, "verification attempts", now) : undefined;
    if (tooMany) throw tooMany;
    if (!addressRate.allowed) {
      const after = String(addressRate.retryAfterSeconds);
      throw new ApiError(429, "RATE_LIMITED", `too many verification requests from this address; retry after ${after}s`, {
        headers: { "Retry-After": after },
      });
    }
    return { status: 401, error: { code: "UNAUTHENTICATED", reason, message } };
  }
}
