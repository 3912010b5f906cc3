import { z } from "zod";
import { isoNow, type ServerContext } from "../context";
import { requireRoot, type AdminAuth } from "../http/adminAuth";
import { FeatureRoutes } from "../http/featureRoutes";
import { nameText } from "../keys/schemas";
import { createOrganization } from "./orgStore";

function createOrganizationBodySchema() {
  return z.object({ name: nameText(100) }).strict();
}

function createdOrganizationSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string(),
    token: z.string().meta({ description: "The organization's first admin token (scope manage): returned once, in this answer only." }),
    tokenId: z.string(),
  });
}

/** Organizations, mounted at /v1/organizations: made with the root token, each with its first admin token. */
export function organizationRoutes(ctx: ServerContext, auth: AdminAuth): FeatureRoutes {
  return new FeatureRoutes({ authenticate: auth.authenticate, authorize: (c) => requireRoot(c, "creating an organization") }).add(
    {
      method: "post",
      path: "/",
      summary: "Create an organization (root token); answers its first admin token once",
      body: { schema: createOrganizationBodySchema(), name: "CreateOrganizationRequest", required: true },
      answers: { 201: { description: "Created", body: createdOrganizationSchema() } },
    },
    async (c, { body }) => {
      const { organization, token } = await createOrganization(ctx.db, ctx.pepper, body.name, isoNow(ctx));
      return c.json({ ...organization, token: token.token, tokenId: token.id }, 201);
    },
  );
}
