import type { Context, MiddlewareHandler } from "hono";
import type { ServerContext } from "../context";
import { organizationExists } from "../organizations/orgStore";
import { identifyCaller, type RefusedToken } from "../tokens/tokenStore";
import { ApiError } from "./apiError";
import type { AppEnv } from "./appEnv";
import { RateLimiter } from "./rateLimiter";
import type { RefusedAttempts } from "./refusedAttempts";
import { requireWellFormedId } from "./validation";

const SEND_A_TOKEN = "send an organization or root token as Authorization: Bearer <token>";
const ISSUE_A_NEW_ONE =
  "issue a new one with POST /v1/organizations/{orgId}/tokens using the root token or another working token of the organization, or on the console's Admin tokens page";

/**
 * Why a request got no caller, in words for the person holding the token. A token that was sent and
 * refused is told so: "send a token" to someone who sent one read as if nothing had arrived.
 */
const UNAUTHENTICATED_MESSAGE: Record<RefusedToken | "missing" | "notBearer", string> = {
  missing: SEND_A_TOKEN,
  notBearer: `the Authorization header is not "Bearer <token>"; ${SEND_A_TOKEN}`,
  unknown: `the bearer token was refused: this server does not know it (unknown, revoked or expired tokens are refused; check it was copied whole and is for this server); ${ISSUE_A_NEW_ONE}`,
  expired: `this admin token has expired; ${ISSUE_A_NEW_ONE}`,
  revoked: `this admin token was revoked; ${ISSUE_A_NEW_ONE}`,
};

/** The bearer token, or why there is none: no Authorization header, or one of another scheme. */
function bearerToken(c: Context): { token: string } | { refused: "missing" | "notBearer" } {
  const header = c.req.header("authorization");
  if (header === undefined || header.trim() === "") return { refused: "missing" };
  const token = header.match(/^Bearer\s+(\S+)$/i)?.[1];
  return token === undefined ? { refused: "notBearer" } : { token };
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
    const bearer = bearerToken(c);
    const now = ctx.now();
    const identified = "token" in bearer ? await identifyCaller(ctx.db, ctx.pepper, options.rootTokenHash, bearer.token, now) : bearer;
    if ("refused" in identified) {
      const tooMany = options.refused.record([`admin-address:${c.get("clientAddress")}`], "admin sign-ins", now);
      if (tooMany) throw tooMany;
      throw new ApiError(401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE[identified.refused]);
    }
    const caller = identified.caller;
    c.set("caller", caller);
    if (caller.scope === "read" && c.req.method !== "GET" && c.req.method !== "HEAD") {
      throw new ApiError(403, "FORBIDDEN", 'this admin token is read-only (scope "read"); use a token with scope "manage" to make changes');
    }
    const limit = limiter.take(caller.actor, now);
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
  if (!caller) throw new ApiError(401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE.missing);
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
