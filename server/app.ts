import type { IncomingMessage } from "node:http";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getConnInfo } from "@hono/node-server/conninfo";
import { z } from "zod";
import { listAudit } from "./audit/auditLog";
import type { ServerContext } from "./context";
import { isoNow } from "./context";
import { ApiError } from "./http/apiError";
import type { AppEnv } from "./http/appEnv";
import type { ClientAddressResolver } from "./http/clientAddress";
import { redactLogLine } from "./http/logRedaction";
import { RateLimiter } from "./http/rateLimiter";
import { RefusedAttempts } from "./http/refusedAttempts";
import { securityHeaders } from "./http/securityHeaders";
import { plainText } from "./http/plainText";
import { parseJsonBody, parseWith, requireWellFormedId } from "./http/validation";
import { newId } from "./ids";
import { createKey, getKey, listKeys, rollKey, revokeKey, updateKey, type IssuedKey } from "./keys/keyStore";
import { createKeyBodySchema, listKeysQuerySchema, rollKeyBodySchema, updateKeyBodySchema } from "./keys/schemas";
import { mountConsole } from "./console/consoleRoutes";
import { openApiDocument } from "./openapi";
import { createOrganization, organizationExists } from "./organizations/orgStore";
import { tokenRoutes } from "./tokens/tokenRoutes";
import { identifyCaller, type RefusedToken } from "./tokens/tokenStore";
import { verifyRoutes } from "./verify/verifyRoutes";

export interface AppOptions {
  readonly context: ServerContext;
  readonly rootTokenHash: string;
  /** One structured line per request; never given a secret, a token or a body. */
  readonly log: (line: Record<string, unknown>) => void;
  /** Admin API requests per second per token (burst: twice that). 0 turns the limit off. */
  readonly rateLimitPerSecond: number;
  /** Verify requests per second per source address. */
  readonly verifyRateLimitPerSecond: number;
  /** Refused verifications and admin sign-ins per second per client address, and per key prefix (burst: 5 times that). */
  readonly failedVerifyRateLimitPerSecond: number;
  /** The client's address behind trusted proxies, for the per-address limits. */
  readonly clientAddress: ClientAddressResolver;
  readonly maxBodyBytes: number;
  /** The built console's directory; undefined serves a note that it is not built. */
  readonly consoleDir?: string;
}

type Env = AppEnv;

/** A client that hung up before sending its whole body: its request failed, not the server. */
function clientHungUp(c: Context): boolean {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming) return (incoming.destroyed && !incoming.complete) || incoming.socket?.destroyed === true;
  return c.req.raw.signal?.aborted === true;
}

const UNAUTHENTICATED_MESSAGE: Record<RefusedToken, string> = {
  unknown: "send an organization or root token as Authorization: Bearer <token>",
  expired: "this admin token has expired; issue a new one (POST /v1/organizations/{orgId}/tokens) with a token that still works",
  revoked: "this admin token was revoked; use another token of the organization",
};

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function idempotencyKeyOf(c: Context): string | undefined {
  const value = c.req.header("idempotency-key");
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) throw ApiError.validation("Idempotency-Key", "must be 1 to 200 printable ASCII characters");
  return value;
}

function bearerToken(c: Context): string | undefined {
  const header = c.req.header("authorization");
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** A create or roll answer: 201 with the secret, or 200 without it for an idempotent replay. */
function issuedKeyResponse(c: Context, issued: IssuedKey) {
  return c.json({ ...issued.key, ...(issued.secret ? { secret: issued.secret } : {}), idempotentReplay: issued.idempotentReplay }, issued.idempotentReplay ? 200 : 201);
}

export function createApp(options: AppOptions): Hono<Env> {
  const { context: ctx } = options;
  const app = new Hono<Env>();
  const adminLimiter = new RateLimiter(options.rateLimitPerSecond, options.rateLimitPerSecond * 2);
  // Guessing shows as refused keys and tokens: they use up a small bucket per client address and,
  // for keys, one per key prefix. A valid key or token is never held back by these buckets.
  const refused = new RefusedAttempts(options.failedVerifyRateLimitPerSecond, 5);
  const log = (line: Record<string, unknown>) => options.log(redactLogLine(line));
  // Built once per app: building a zod schema (and its compiled fast path) was 15% of a create.
  const schemas = { createKey: createKeyBodySchema(), listKeys: listKeysQuerySchema(), updateKey: updateKeyBodySchema(), rollKey: rollKeyBodySchema() };

  app.use("*", async (c, next) => {
    const started = performance.now();
    const requestId = newId("req");
    c.set("requestId", requestId);
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      // Not behind @hono/node-server (app.request in a unit test): one shared address.
    }
    c.set("clientAddress", options.clientAddress.resolve(peer, (name) => c.req.header(name)));
    c.header("X-Request-ID", requestId);
    await next();
    log({
      time: new Date().toISOString(),
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      actor: c.get("caller")?.actor,
    });
  });

  app.use("*", securityHeaders((path) => path.startsWith("/v1/") || path === "/healthz" || path === "/openapi.json"));

  const limitBody = bodyLimit({
    maxSize: options.maxBodyBytes,
    onError: () => {
      throw new ApiError(413, "PAYLOAD_TOO_LARGE", `request body exceeds ${options.maxBodyBytes} bytes`);
    },
  });
  // GET and HEAD bodies are never read. Skipping them matters: the limit reads `c.req.raw.body`, which
  // makes @hono/node-server build a full fetch Request (headers, AbortSignal) for every verification.
  app.use("*", (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next)));

  app.onError((error, c) => {
    if (!(error instanceof ApiError) && clientHungUp(c)) {
      // 499 (nginx's "client closed request"): logged as the client's failure, not an error of ours.
      return c.json({ error: { code: "BAD_REQUEST", message: "the client closed the connection before the request was complete", requestId: c.get("requestId") } }, 499 as 400);
    }
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError(500, "INTERNAL", "internal error; retry, and report the requestId if it persists");
    if (!(error instanceof ApiError)) {
      log({ time: new Date().toISOString(), requestId: c.get("requestId"), level: "error", error: error.name, message: error.message });
    }
    for (const [name, value] of Object.entries(apiError.headers)) c.header(name, value);
    return c.json(
      { error: { code: apiError.code, message: apiError.message, ...(apiError.field ? { field: apiError.field } : {}), requestId: c.get("requestId") } },
      apiError.status as 400,
    );
  });

  app.notFound(() => {
    throw new ApiError(404, "NOT_FOUND", "no such route; see /openapi.json");
  });

  app.get("/healthz", (c) => c.json({ ok: true, database: ctx.databaseKind }));
  app.get("/openapi.json", (c) => c.json(openApiDocument()));
  mountConsole(app, options.consoleDir);

  // Admin authentication: a bearer token that is the root token or a live organization token. Refused
  // tokens use up the client address's refusal bucket; a valid token is never refused by it.
  const authenticate = async (c: Context<Env>, next: () => Promise<void>) => {
    const token = bearerToken(c);
    const identified = token ? await identifyCaller(ctx.db, ctx.pepper, options.rootTokenHash, token, ctx.now()) : { refused: "unknown" as const };
    if ("refused" in identified) {
      const tooMany = refused.record([`admin-address:${c.get("clientAddress")}`], "admin sign-ins");
      if (tooMany) throw tooMany;
      throw new ApiError(401, "UNAUTHENTICATED", UNAUTHENTICATED_MESSAGE[identified.refused]);
    }
    const caller = identified.caller;
    c.set("caller", caller);
    if (caller.scope === "read" && c.req.method !== "GET" && c.req.method !== "HEAD") {
      throw new ApiError(403, "FORBIDDEN", "this admin token is read-only (scope \"read\"); use a token with scope \"manage\" to make changes");
    }
    const limit = adminLimiter.take(caller.actor);
    if (!limit.allowed) {
      throw new ApiError(429, "RATE_LIMITED", `too many requests for this token; retry after ${limit.retryAfterSeconds}s`, {
        headers: { "Retry-After": String(limit.retryAfterSeconds) },
      });
    }
    await next();
  };

  /** Another organization's id answers 404, exactly like an id that does not exist, so ids do not leak. */
  const organizationOf = async (c: Context<Env>): Promise<string> => {
    const orgId = requireWellFormedId("organization", c.req.param("orgId") ?? "");
    const caller = c.get("caller")!;
    if (caller.kind === "organization" ? caller.orgId !== orgId : !(await organizationExists(ctx.db, orgId))) {
      throw ApiError.notFound(`organization ${orgId}`);
    }
    return orgId;
  };

  app.use("/v1/metrics", authenticate);
  app.use("/v1/me", authenticate);

  /** Who a token is: the console signs in with it to learn its organization. */
  app.get("/v1/me", (c) => {
    const caller = c.get("caller")!;
    return c.json(caller.kind === "organization" ? { kind: caller.kind, organizationId: caller.orgId, tokenId: caller.actor, scope: caller.scope } : { kind: caller.kind, scope: caller.scope });
  });
  app.use("/v1/organizations", authenticate);
  app.use("/v1/organizations/*", authenticate);

  app.get("/v1/metrics", async (c) => {
    if (c.get("caller")!.kind !== "root") throw new ApiError(401, "UNAUTHENTICATED", "metrics take the root token");
    return c.json({ databaseQueries: ctx.queries.count, verifyCache: { hits: ctx.verifyCache.hits, misses: ctx.verifyCache.misses, size: ctx.verifyCache.size } });
  });

  app.post("/v1/organizations", async (c) => {
    if (c.get("caller")!.kind !== "root") throw new ApiError(401, "UNAUTHENTICATED", "creating an organization takes the root token");
    const body = await parseJsonBody(c, z.object({ name: plainText(100) }).strict());
    const { organization, token } = await createOrganization(ctx.db, ctx.pepper, body.name, isoNow(ctx));
    return c.json({ ...organization, token: token.token, tokenId: token.id }, 201);
  });

  app.route("/v1/organizations/:orgId/tokens", tokenRoutes(ctx, organizationOf));

  app.post("/v1/organizations/:orgId/keys", async (c) => {
    const orgId = await organizationOf(c);
    const body = await parseJsonBody(c, schemas.createKey);
    const issued = await createKey(ctx, orgId, body, c.get("caller")!.actor, idempotencyKeyOf(c));
    return issuedKeyResponse(c, issued);
  });

  app.get("/v1/organizations/:orgId/keys", async (c) => {
    const orgId = await organizationOf(c);
    const query = parseWith(schemas.listKeys, c.req.query());
    return c.json(await listKeys(ctx, orgId, query));
  });

  app.get("/v1/organizations/:orgId/keys/:keyId", async (c) => {
    const orgId = await organizationOf(c);
    return c.json(await getKey(ctx, orgId, requireWellFormedId("key", c.req.param("keyId"))));
  });

  app.patch("/v1/organizations/:orgId/keys/:keyId", async (c) => {
    const orgId = await organizationOf(c);
    const keyId = requireWellFormedId("key", c.req.param("keyId"));
    const body = await parseJsonBody(c, schemas.updateKey);
    return c.json(await updateKey(ctx, orgId, keyId, body, c.get("caller")!.actor));
  });

  app.delete("/v1/organizations/:orgId/keys/:keyId", async (c) => {
    const orgId = await organizationOf(c);
    const keyId = requireWellFormedId("key", c.req.param("keyId"));
    const { gracePeriodSeconds } = parseWith(
      z.object({ gracePeriodSeconds: z.coerce.number().int().min(0).max(30 * 24 * 3600, "must be at most 30 days (2592000)").default(0) }).strict(),
      c.req.query(),
    );
    return c.json(await revokeKey(ctx, orgId, keyId, gracePeriodSeconds, c.get("caller")!.actor));
  });

  app.post("/v1/organizations/:orgId/keys/:keyId/roll", async (c) => {
    const orgId = await organizationOf(c);
    const keyId = requireWellFormedId("key", c.req.param("keyId"));
    const body = await parseJsonBody(c, schemas.rollKey, { optional: true });
    const issued = await rollKey(ctx, orgId, keyId, body.gracePeriodSeconds, c.get("caller")!.actor, idempotencyKeyOf(c));
    return issuedKeyResponse(c, issued);
  });

  app.get("/v1/organizations/:orgId/audit", async (c) => {
    const orgId = await organizationOf(c);
    const query = parseWith(
      z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(100).optional(), keyId: z.string().max(40).optional() }).strict(),
      c.req.query(),
    );
    return c.json(await listAudit(ctx.db, orgId, query));
  });

  app.route("/", verifyRoutes(ctx, { verifyRateLimitPerSecond: options.verifyRateLimitPerSecond, refused }));

  return app;
}
