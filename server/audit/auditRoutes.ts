import { z } from "zod";
import type { ServerContext } from "../context";
import { orgIdOf, type AdminAuth } from "../http/adminAuth";
import { FeatureRoutes, named } from "../http/featureRoutes";
import { auditPageSchema } from "../../shared/wire/audit";
import { listAudit } from "./auditLog";

function auditQuerySchema() {
  return z
    .object({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(100).optional(), keyId: z.string().max(40).optional() })
    .strict();
}

/** An organization's audit log, oldest first, mounted at /v1/organizations/:orgId/audit. */
export function auditRoutes(ctx: ServerContext, auth: AdminAuth): FeatureRoutes {
  return new FeatureRoutes({ authenticate: auth.authenticate, authorize: auth.authorizeOrganization }).add(
    {
      method: "get",
      path: "/",
      summary: "Audit log (cursor pagination)",
      query: auditQuerySchema(),
      answers: { 200: { description: "A page of audit entries", body: named("AuditPage", auditPageSchema()) } },
    },
    async (c, { query }) => c.json(await listAudit(ctx.db, orgIdOf(c), query)),
  );
}
