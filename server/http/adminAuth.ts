import type { Context, MiddlewareHandler } from "hono";
import type { ServerContext } from "../context";
import { organizationExists } from "../organizations/orgStore";
import { identifyCaller, type RefusedToken } from "../tokens/tokenStore";
import { ApiError } from "./apiError";
import type { AppEnv } from "./appEnv";
import { RateLimiter } from "./rateLimiter";
import type { RefusedAttempts } from "./refusedAttempts";
import { requireWellFormedId } from "./validation";

const UNAUTHENTICATED_MESSAGE: Record<RefusedToken, string> = {
  unknown: "send an organization or root token as Authorization: Bearer <token>",
  expired: "this admin token has expired; issue a new one (POST /v1/organizations/{orgId}/tokens) with a token that still works",
  revoked: "this admin token was revoked; use another token of the organization",
};

function bearerToken(c: Context): string | undefined {
  return c.req.header("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
}

export interface AdminAuth {
  /** Sets `caller` from a bearer token that is the root token or a live organization token. */
  readonly authenticate: MiddlewareHandler<AppEnv>;
  /** Checks the caller may act on the path's `:orgId` and records it for `orgIdOf`. */
  readonly authorizeOrganization: (c: Context<AppEnv>) => Promise<void>;
}

/**
 * Admin authentication. Refused tokens use up the client address's refusal bucket; a valid token
 * is never refused by it. Read-only tokens may only GET; each token has its own request rate.
 */
export function adminAuth(ctx: ServerContext, options: { rootTokenHash: string; rateLimitPerSecond: number; refused: RefusedAttempts }): AdminAuth {
  const limiter = new RateLimiter(options.rateLimitPerSecond, options.rateLimitPerSecond * 2);

  const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
    const token = bearerToken(c);
    const identified = token ? await identifyCaller(ctx.db, ctx.pepper, options.rootTokenHash, token, ctx.now()) : { refused: "unknown" as const };
    if ("refused" in identified) {
      const tooMany = options.refused.record([`admin-address:${c.get("clientAddress")}`], "admin sign-ins");
      if (tooMany) throw tooMany;
      throw new ApiError(401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE[identified.refused]);
    }
    const caller = identified.caller;
    c.set("caller", caller);
    if (caller.scope === "read" && c.req.method !== "GET" && c.req.method !== "HEAD") {
      throw new ApiError(403, "FORBIDDEN", 'this admin token is read-only (scope "read"); use a token with scope "manage" to make changes');
    }
    const limit = limiter.take(caller.actor);
    if (!limit.allowed) {
      throw new ApiError(429, "RATE_LIMITED", `too many requests for this token; retry after ${limit.retryAfterSeconds}s`, {
        headers: { "Retry-After": String(limit.retryAfterSeconds) },
      });
    }
    await next();
  };

  /** Another organization's id answers 404, exactly like an id that does not exist, so ids do not leak. */
  const authorizeOrganization = async (c: Context<AppEnv>): Promise<void> => {
    const orgId = requireWellFormedId("organization", c.req.param("orgId") ?? "");
    const caller = callerOf(c);
    if (caller.kind === "organization" ? caller.orgId !== orgId : !(await organizationExists(ctx.db, orgId))) {
      throw ApiError.notFound(`organization ${orgId}`);
    }
    c.set("orgId", orgId);
  };

  return { authenticate, authorizeOrganization };
}

/** The caller set by `authenticate`; the routes that call this run behind it. */
export function callerOf(c: Context<AppEnv>) {
  const caller = c.get("caller");
  if (!caller) throw new ApiError(401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE.unknown);
  return caller;
}

/** The organization `authorizeOrganization` admitted the caller to. */
export function orgIdOf(c: Context<AppEnv>): string {
  const orgId = c.get("orgId");
  if (!orgId) throw new Error("orgIdOf called on a route without authorizeOrganization");
  return orgId;
}

/** A root-only operation: anything else is refused with what it takes. */
export function requireRoot(c: Context<AppEnv>, what: string): void {
  if (callerOf(c).kind !== "root") throw new ApiError(401, "UNAUTHENTICATED", `${what} takes the root token`);
}
