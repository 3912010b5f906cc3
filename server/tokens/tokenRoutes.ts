import { isoNow, type ServerContext } from "../context";
import { callerOf, orgIdOf, type AdminAuth } from "../http/adminAuth";
import { FeatureRoutes, named } from "../http/featureRoutes";
import { callerSchema, createTokenBodySchema, issuedTokenSchema, tokenListSchema, tokenSchema } from "./schemas";
import { createToken, expiryOf, listTokens, revokeToken } from "./tokenStore";

/**
 * An organization's admin tokens: issue (the secret in that answer only), list (never a secret),
 * revoke (refused from the next request on, on every replica). Mounted at /v1/organizations/:orgId/tokens.
 */
export function tokenRoutes(ctx: ServerContext, auth: AdminAuth): FeatureRoutes {
  return new FeatureRoutes({ authenticate: auth.authenticate, authorize: auth.authorizeOrganization })
    .add(
      {
        method: "post",
        path: "/",
        summary: "Issue an admin token (scope manage or read, optional expiry, never later than the issuing token's); the secret is in this answer only",
        body: { schema: createTokenBodySchema(), name: "CreateTokenRequest", required: false },
        answers: { 201: { description: "Issued", body: named("IssuedToken", issuedTokenSchema()) } },
      },
      async (c, { body }) => {
        const orgId = orgIdOf(c);
        const caller = callerOf(c);
        return c.json(await createToken(ctx.db, ctx.pepper, orgId, body, caller.actor, isoNow(ctx), expiryOf(caller)), 201);
      },
    )
    .add(
      {
        method: "get",
        path: "/",
        summary: "List the organization's admin tokens (never their secrets)",
        answers: { 200: { description: "Every token", body: named("TokenList", tokenListSchema()) } },
      },
      async (c) => c.json(await listTokens(ctx.db, orgIdOf(c), isoNow(ctx))),
    )
    .add(
      {
        method: "delete",
        path: "/:tokenId",
        pathIds: { tokenId: "token" },
        summary: "Revoke an admin token: refused from the next request on, on every replica",
        answers: { 200: { description: "The revoked token", body: named("Token", tokenSchema()) } },
      },
      async (c) => {
        const orgId = orgIdOf(c);
        const tokenId = c.req.param("tokenId") ?? "";
        return c.json(await revokeToken(ctx.db, orgId, tokenId, callerOf(c).actor, isoNow(ctx)));
      },
    );
}

/** `GET /v1/me`: who a token is; the console signs in with it to learn its organization. */
export function callerRoutes(auth: AdminAuth): FeatureRoutes {
  return new FeatureRoutes({ authenticate: auth.authenticate }).add(
    {
      method: "get",
      path: "/",
      summary: "Who an admin token is: its kind, and the organization of an organization token",
      answers: { 200: { description: "The caller", body: named("Caller", callerSchema()) } },
    },
    (c) => {
      const caller = callerOf(c);
      return c.json(
        caller.kind === "organization"
          ? { kind: caller.kind, organizationId: caller.orgId, tokenId: caller.actor, scope: caller.scope }
          : { kind: caller.kind, scope: caller.scope },
      );
    },
  );
}
