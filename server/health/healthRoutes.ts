import { z } from "zod";
import type { ServerContext } from "../context";
import { requireRoot, type AdminAuth } from "../http/adminAuth";
import { FeatureRoutes } from "../http/featureRoutes";

function healthSchema() {
  return z.object({ ok: z.literal(true), database: z.enum(["sqlite", "postgres"]) });
}

function metricsSchema() {
  return z.object({
    databaseQueries: z.number().int(),
    verifyCache: z.object({ hits: z.number().int(), misses: z.number().int(), size: z.number().int() }),
  });
}

/** Liveness (`/healthz`, no token) and the server's counters (`/v1/metrics`, root token). */
export function healthRoutes(ctx: ServerContext, auth: AdminAuth): FeatureRoutes {
  return new FeatureRoutes({ authenticate: auth.authenticate, authorize: (c) => requireRoot(c, "metrics") })
    .add(
      {
        method: "get",
        path: "/healthz",
        summary: "Liveness: the server answers and which database it uses",
        security: "none",
        answers: { 200: { description: "Up", body: healthSchema() } },
      },
      (c) => c.json({ ok: true, database: ctx.databaseKind }),
    )
    .add(
      {
        method: "get",
        path: "/v1/metrics",
        summary: "Query and verify-cache counters (root token)",
        answers: { 200: { description: "Counters", body: metricsSchema() } },
      },
      (c) =>
        c.json({ databaseQueries: ctx.queries.count, verifyCache: { hits: ctx.verifyCache.hits, misses: ctx.verifyCache.misses, size: ctx.verifyCache.size } }),
    );
}
