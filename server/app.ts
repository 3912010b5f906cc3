import { IncomingMessage } from "node:http";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { UnofficialStatusCode } from "hono/utils/http-status";
import { getConnInfo } from "@hono/node-server/conninfo";
import { auditRoutes } from "./audit/auditRoutes";
import { mountConsole } from "./console/consoleRoutes";
import type { ServerContext } from "./context";
import { healthRoutes } from "./health/healthRoutes";
import { adminAuth } from "./http/adminAuth";
import { ApiError } from "./http/apiError";
import type { AppEnv } from "./http/appEnv";
import type { ClientAddressResolver } from "./http/clientAddress";
import { FeatureRoutes, mountFeatures } from "./http/featureRoutes";
import { answerUndeclaredMethods } from "./http/methodNotAllowed";
import { redactLogLine } from "./http/logRedaction";
import { errorAnswer, requestLogLine } from "./http/requestLog";
import { RefusedAttempts } from "./http/refusedAttempts";
import { securityHeaders } from "./http/securityHeaders";
import { newId } from "./ids";
import { keyRoutes } from "./keys/keyRoutes";
import type { AlertKey } from "./leaks/alertKeys";
import { leakRoutes } from "./leaks/leakRoutes";
import { openApiDocument } from "./openapi";
import { organizationRoutes } from "./organizations/organizationRoutes";
import { callerRoutes, tokenRoutes } from "./tokens/tokenRoutes";
import { KeyVerifier } from "./verify/keyVerifier";
import { verifyRoutes } from "./verify/verifyRoutes";

export interface AppOptions {
  readonly context: ServerContext;
  readonly rootTokenHash: string;
  /** One structured line per request; never given a secret, a token or a body. */
  readonly log: (line: Record<string, unknown>) => void;
  /** Admin API requests per second per token (burst: twice that). 0 turns the limit off. */
  readonly rateLimitPerSecond: number;
  /** Verifications per second per client address (burst: twice that) before its refused ones answer 429; 0 turns the limit off. */
  readonly verifyRateLimitPerSecond: number;
  /** Refused verifications and admin sign-ins per second per client address, and per key prefix (burst: 5 times that). */
  readonly failedVerifyRateLimitPerSecond: number;
  /** The client's address behind trusted proxies, for the per-address limits. */
  readonly clientAddress: ClientAddressResolver;
  readonly maxBodyBytes: number;
  /** The built console's directory; undefined serves a note that it is not built. */
  readonly consoleDir?: string;
  /** The keys that sign secret-scanning alerts; none: alerts answer 503. */
  readonly alertKeys?: readonly AlertKey[];
}

/** `/openapi.json`: the document made from the mounted routes (itself included). */
function openApiRoute(document: () => Record<string, unknown>): FeatureRoutes {
  return new FeatureRoutes().add(
    { method: "get", path: "/openapi.json", summary: "This document", security: "none", answers: { 200: { description: "OpenAPI 3.1" } } },
    (c) => c.json(document()),
  );
}

/** A client that hung up before sending its whole body: its request failed, not the server. */
function clientHungUp(c: Context): boolean {
  const incoming = incomingOf(c.env);
  if (incoming) return (incoming.destroyed && !incoming.complete) || incoming.socket?.destroyed === true;
  return c.req.raw.signal?.aborted === true;
}

/** The Node.js request behind @hono/node-server (its bindings are `{ incoming, outgoing }`); none under `app.request`. */
function incomingOf(env: unknown): IncomingMessage | undefined {
  return env !== null && typeof env === "object" && "incoming" in env && env.incoming instanceof IncomingMessage ? env.incoming : undefined;
}

/** The app, and what the node listener's fast path shares with it (http/fastWhoami.ts). */
export interface ServerApp {
  readonly app: Hono<AppEnv>;
  readonly verifier: KeyVerifier;
  /** The request log, redaction included. */
  readonly log: (line: Record<string, unknown>) => void;
}

export function createServerApp(options: AppOptions): ServerApp {
  const { context: ctx } = options;
  const app = new Hono<AppEnv>();
  // Guessing shows as refused keys and tokens: they use up a small bucket per client address and,
  // for keys, one per key prefix. A valid key or token is never held back by these buckets.
  const refused = new RefusedAttempts(options.failedVerifyRateLimitPerSecond, 5);
  const log = (line: Record<string, unknown>) => options.log(redactLogLine(line));

  const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
    const started = performance.now();
    const requestId = newId("req");
    c.set("requestId", requestId);
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      // Not behind @hono/node-server (app.request in a unit test): one shared address.
    }
    c.set(
      "clientAddress",
      options.clientAddress.resolve(peer, (name) => c.req.header(name)),
    );
    c.header("X-Request-ID", requestId);
    await next();
    log(requestLogLine({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, started, actor: c.get("caller")?.actor }));
  };
  app.use("*", requestContext);

  app.use(
    "*",
    securityHeaders((path) => path.startsWith("/v1/") || path === "/healthz" || path === "/openapi.json"),
  );

  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: () => {
      throw new ApiError(413, "PAYLOAD_TOO_LARGE", `request body exceeds ${options.maxBodyBytes} bytes`);
    },
  });
  // GET and HEAD bodies are never read. Skipping them matters: the limit reads `c.req.raw.body`, which
  // makes @hono/node-server build a full fetch Request (headers, AbortSignal) for every verification.
  const limitBodyOfWrites: MiddlewareHandler<AppEnv> = (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next));
  app.use("*", limitBodyOfWrites);

  app.onError((error, c) => {
    if (!(error instanceof ApiError) && clientHungUp(c)) {
      // 499 (nginx's "client closed request"): logged as the client's failure, not an error of ours.
      return c.json(
        { error: { code: "BAD_REQUEST", message: "the client closed the connection before the request was complete", requestId: c.get("requestId") } },
        // Cast: Hono types a status it does not list as UnofficialStatusCode, and documents this cast as the way to send one.
        499 as UnofficialStatusCode,
      );
    }
    const answer = errorAnswer(error, c.get("requestId"), log);
    for (const [name, value] of Object.entries(answer.headers)) c.header(name, value);
    return c.json(answer.body, answer.status);
  });

  app.notFound(() => {
    throw new ApiError(404, "NOT_FOUND", "no such route; see /openapi.json");
  });

  mountConsole(app, options.consoleDir);

  const verifier = new KeyVerifier(ctx, { verifyRateLimitPerSecond: options.verifyRateLimitPerSecond, refused });
  const auth = adminAuth(ctx, { rootTokenHash: options.rootTokenHash, rateLimitPerSecond: options.rateLimitPerSecond, refused });
  // Every API route is declared in its feature's folder with its schemas; the document is made from them.
  // The schemas are built once per app, here, when the features are made: building a zod schema (and
  // its compiled fast path) was 15% of a create.
  const routes = mountFeatures(app, [
    ["/", healthRoutes(ctx, auth)],
    ["/v1/me", callerRoutes(auth)],
    ["/v1/organizations", organizationRoutes(ctx, auth)],
    ["/v1/organizations/:orgId/tokens", tokenRoutes(ctx, auth)],
    ["/v1/organizations/:orgId/keys", keyRoutes(ctx, auth)],
    ["/v1/organizations/:orgId/audit", auditRoutes(ctx, auth)],
    ["/v1", verifyRoutes(verifier)],
    ["/v1/secret-scanning", leakRoutes(ctx, { alertKeys: options.alertKeys ?? [], refused })],
    ["/", openApiRoute(() => document)],
  ]);
  const document = openApiDocument(routes);
  answerUndeclaredMethods(app);

  return { app, verifier, log };
}
