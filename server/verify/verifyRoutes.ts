import type { Context } from "hono";
import type { ServerContext } from "../context";
import { ApiError } from "../http/apiError";
import type { AppEnv } from "../http/appEnv";
import { FeatureRoutes, named, type RouteSpec } from "../http/featureRoutes";
import { RateLimiter } from "../http/rateLimiter";
import type { RefusedAttempts } from "../http/refusedAttempts";
import { verifiedKeySchema } from "./schemas";
import { verifyKey } from "./verifyKey";

/**
 * Verification: the key itself authenticates, sent the way our users' systems send it. A key that
 * verifies is always answered 200: the limits count every request per address but only turn
 * refusals into 429 (a hash lookup costs the same whatever its outcome, so refusing a right key
 * would save nothing and would let anyone sharing an address or knowing the public hint lock it out).
 */
export function verifyRoutes(ctx: ServerContext, options: { verifyRateLimitPerSecond: number; refused: RefusedAttempts }): FeatureRoutes {
  const perAddress = new RateLimiter(options.verifyRateLimitPerSecond, options.verifyRateLimitPerSecond * 2);

  const verify = async (c: Context<AppEnv>) => {
    const address = c.get("clientAddress");
    const withinAddressRate = perAddress.take(address).allowed;
    const authorization = c.req.header("authorization")?.match(/^(?:Api-Key|Bearer)\s+(\S+)$/i)?.[1];
    const secret = authorization ?? c.req.header("x-api-key");
    /** Guesses (unknown or missing secrets) use up the refusal buckets; a known key that is revoked or disabled does not. */
    const refuse = (reason: string, message: string, guessBuckets: string[] = []) => {
      const tooMany = guessBuckets.length > 0 ? options.refused.record(guessBuckets, "verification attempts") : undefined;
      if (tooMany) throw tooMany;
      if (!withinAddressRate) {
        throw new ApiError(429, "RATE_LIMITED", "too many verification requests from this address; retry after 1s", { headers: { "Retry-After": "1" } });
      }
      return c.json({ error: { code: "UNAUTHENTICATED", reason, message, requestId: c.get("requestId") } }, 401);
    };
    if (!secret) {
      return refuse("MISSING", "send the key as Authorization: Api-Key <key>, Authorization: Bearer <key>, or x-client-id + x-api-key", [
        `verify-address:${address}`,
      ]);
    }
    const result = await verifyKey(ctx, secret, authorization ? undefined : c.req.header("x-client-id"));
    if (!result.ok) {
      // Guesses at one environment's keys share a prefix bucket, whatever address they come from.
      return refuse(
        result.reason,
        `key refused: ${result.reason}`,
        result.reason === "NOT_FOUND" ? [`verify-address:${address}`, `verify-prefix:${secret.slice(0, 12)}`] : [],
      );
    }
    const { ok: _ok, ...identity } = result;
    return c.json(identity);
  };
  const answers: RouteSpec["answers"] = {
    200: { description: "Who the key is", body: named("VerifiedKey", verifiedKeySchema()) },
    401: { description: "Refused, with reason MISSING, NOT_FOUND, DISABLED, EXPIRED or REVOKED" },
  };
  const headers = [
    { name: "x-client-id", description: "With x-api-key: the key's id, for clients that send id and secret apart" },
    { name: "x-api-key", description: "The key's secret, when not sent as Authorization" },
  ];
  return new FeatureRoutes()
    .add({ method: "get", path: "/whoami", summary: "Verify a key", security: "apiKey", headers, answers }, verify)
    .add({ method: "post", path: "/verify", summary: "Verify a key", security: "apiKey", headers, answers }, verify);
}
