import type { MiddlewareHandler } from "hono";

/**
 * On every answer: `nosniff`, so a browser never runs a JSON answer as something else. On API answers
 * also `Cache-Control: no-store`: a create or roll answer holds a secret, and no shared or browser
 * cache may keep any of them. The console's static files keep their own caching headers.
 */
export function securityHeaders(isApiPath: (path: string) => boolean): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    if (isApiPath(c.req.path)) c.res.headers.set("Cache-Control", "no-store");
  };
}
