import type { Hono } from "hono";
import { ApiError } from "./apiError";
import type { AppEnv } from "./appEnv";

/**
 * Answers 405 with `Allow` to a method a known path does not declare (TRACE, PUT, OPTIONS...),
 * instead of the 404 that said the path itself did not exist. Call it once every route is mounted:
 * it reads the app's route table, so the list always matches what is served. HEAD is allowed
 * wherever GET is (Hono answers it with the GET route, without the body). An unknown path stays 404.
 */
export function answerUndeclaredMethods(app: Hono<AppEnv>): void {
  const declared = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const methods = declared.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
    declared.set(route.path, methods);
  }
  for (const [path, methods] of declared) {
    const allow = [...methods].sort().join(", ");
    // Registered after the routes: a declared method's handler answers first and this never runs for it.
    app.all(path, (c) => {
      throw new ApiError(405, "METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${c.req.routePath}; use ${allow}`, { headers: { Allow: allow } });
    });
  }
}
