import { Hono, type Context } from "hono";
import { isoNow, type ServerContext } from "../context";
import type { AppEnv } from "../http/appEnv";
import { parseJsonBody, requireWellFormedId } from "../http/validation";
import { createTokenBodySchema } from "./schemas";
import { createToken, listTokens, revokeToken } from "./tokenStore";

/**
 * An organization's admin tokens: issue (the secret in that answer only), list (never a secret),
 * revoke (refused from the next request on, on every replica). Mounted under
 * /v1/organizations/:orgId/tokens behind the admin authentication.
 */
export function tokenRoutes(ctx: ServerContext, organizationOf: (c: Context<AppEnv>) => Promise<string>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const createBody = createTokenBodySchema();

  app.post("/", async (c) => {
    const orgId = await organizationOf(c);
    const body = await parseJsonBody(c, createBody, { optional: true });
    return c.json(await createToken(ctx.db, ctx.pepper, orgId, body, c.get("caller")!.actor, isoNow(ctx)), 201);
  });

  app.get("/", async (c) => {
    const orgId = await organizationOf(c);
    return c.json(await listTokens(ctx.db, orgId, isoNow(ctx)));
  });

  app.delete("/:tokenId", async (c) => {
    const orgId = await organizationOf(c);
    const tokenId = requireWellFormedId("token", c.req.param("tokenId"));
    return c.json(await revokeToken(ctx.db, orgId, tokenId, c.get("caller")!.actor, isoNow(ctx)));
  });

  return app;
}
