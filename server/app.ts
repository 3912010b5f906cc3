import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getConnInfo } from "@hono/node-server/conninfo";
import { z } from "zod";
import { listAudit } from "./audit/auditLog";
import type { ServerContext } from "./context";
import { isoNow } from "./context";
import { ApiError } from "./http/apiError";
import { RateLimiter } from "./http/rateLimiter";
import { parseJsonBody, parseWith, requireWellFormedId } from "./http/validation";
import { newId } from "./ids";
import { createKey, getKey, listKeys, rollKey, revokeKey, updateKey, type IssuedKey } from "./keys/keyStore";
import { createKeyBodySchema, listKeysQuerySchema, rollKeyBodySchema, updateKeyBodySchema } from "./keys/schemas";
import { mountConsole } from "./console/consoleRoutes";
import { openApiDocument } from "./openapi";
import { createOrganization, createOrganizationToken, identifyCaller, organizationExists, type Caller } from "./organizations/orgStore";
import { verifyKey } from "./verify/verifyKey";

export interface AppOptions {
  readonly context: ServerContext;
  readonly rootTokenHash: string;
  /** One structured line per request; never given a secret, a token or a body. */
  readonly log: (line: Record<string, unknown>) => void;
  /** Admin API requests per second per token (burst: twice that). 0 turns the limit off. */
  readonly rateLimitPerSecond: number;
  /** Verify requests per second per source address. */
  readonly verifyRateLimitPerSecond: number;
  /** Refused verifications per second per source address and per key prefix (burst: 5 times that). */
  readonly failedVerifyRateLimitPerSecond: number;
  readonly maxBodyBytes: number;
  /** The built console's directory; undefined serves a note that it is not built. */
  readonly consoleDir?: string;
}

type Env = { Variables: { requestId: string; caller?: Caller } };

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
  const verifyLimiter = new RateLimiter(options.verifyRateLimitPerSecond, options.verifyRateLimitPerSecond * 2);
  // Guessing shows as refused keys: they use up a much smaller bucket per source address and one per
  // key prefix (so spreading guesses over addresses does not help against one environment's keys).
  const failedVerifyLimiter = new RateLimiter(options.failedVerifyRateLimitPerSecond, options.failedVerifyRateLimitPerSecond * 5);

  app.use("*", async (c, next) => {
    const started = performance.now();
    const requestId = newId("req");
    c.set("requestId", requestId);
    c.header("X-Request-ID", requestId);
    await next();
    options.log({
      time: new Date().toISOString(),
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      actor: c.get("caller")?.actor,
    });
  });

  app.use(
    "*",
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, "PAYLOAD_TOO_LARGE", `request body exceeds ${options.maxBodyBytes} bytes`);
      },
    }),
  );

  app.onError((error, c) => {
    const apiError =
      error instanceof ApiError
        ? error
        : new ApiError(500, "INTERNAL", "internal error; retry, and report the requestId if it persists");
    if (!(error instanceof ApiError)) {
      options.log({ time: new Date().toISOString(), requestId: c.get("requestId"), level: "error", error: error.name, message: error.message });
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

  // Admin authentication: a bearer token that is the root token or an organization token.
  const authenticate = async (c: Context<Env>, next: () => Promise<void>) => {
    const token = bearerToken(c);
    const caller = token ? await identifyCaller(ctx.db, ctx.pepper, options.rootTokenHash, token) : undefined;
    if (!caller) throw new ApiError(401, "UNAUTHENTICATED", "send an organization or root token as Authorization: Bearer <token>");
    c.set("caller", caller);
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
    return c.json(caller.kind === "organization" ? { kind: caller.kind, organizationId: caller.orgId } : { kind: caller.kind });
  });
  app.use("/v1/organizations", authenticate);
  app.use("/v1/organizations/*", authenticate);

  app.get("/v1/metrics", async (c) => {
    if (c.get("caller")!.kind !== "root") throw new ApiError(401, "UNAUTHENTICATED", "metrics take the root token");
    return c.json({ databaseQueries: ctx.queries.count, verifyCache: { hits: ctx.verifyCache.hits, misses: ctx.verifyCache.misses, size: ctx.verifyCache.size } });
  });

  app.post("/v1/organizations", async (c) => {
    if (c.get("caller")!.kind !== "root") throw new ApiError(401, "UNAUTHENTICATED", "creating an organization takes the root token");
    const body = await parseJsonBody(c, z.object({ name: z.string().trim().min(1, "must not be empty").max(100) }).strict());
    const { organization, token } = await createOrganization(ctx.db, ctx.pepper, body.name, isoNow(ctx));
    return c.json({ ...organization, token: token.token, tokenId: token.id }, 201);
  });

  app.post("/v1/organizations/:orgId/tokens", async (c) => {
    const orgId = await organizationOf(c);
    await parseJsonBody(c, z.object({}).strict(), { optional: true });
    const issued = await createOrganizationToken(ctx.db, ctx.pepper, orgId, c.get("caller")!.actor, isoNow(ctx));
    return c.json(issued, 201);
  });

  app.post("/v1/organizations/:orgId/keys", async (c) => {
    const orgId = await organizationOf(c);
    const body = await parseJsonBody(c, createKeyBodySchema());
    const issued = await createKey(ctx, orgId, body, c.get("caller")!.actor, idempotencyKeyOf(c));
    return issuedKeyResponse(c, issued);
  });

  app.get("/v1/organizations/:orgId/keys", async (c) => {
    const orgId = await organizationOf(c);
    const query = parseWith(listKeysQuerySchema(), c.req.query());
    return c.json(await listKeys(ctx, orgId, query));
  });

  app.get("/v1/organizations/:orgId/keys/:keyId", async (c) => {
    const orgId = await organizationOf(c);
    return c.json(await getKey(ctx, orgId, requireWellFormedId("key", c.req.param("keyId"))));
  });

  app.patch("/v1/organizations/:orgId/keys/:keyId", async (c) => {
    const orgId = await organizationOf(c);
    const keyId = requireWellFormedId("key", c.req.param("keyId"));
    const body = await parseJsonBody(c, updateKeyBodySchema());
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
    const body = await parseJsonBody(c, rollKeyBodySchema(), { optional: true });
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

  // Verification: the key itself authenticates, sent the way our users' systems send it.
  const verify = async (c: Context<Env>) => {
    let address = "unknown";
    try {
      address = getConnInfo(c).remote.address ?? "unknown";
    } catch {
      // Not behind @hono/node-server (app.request in a unit test): one shared bucket.
    }
    const tooMany = (retryAfterSeconds: number) =>
      new ApiError(429, "RATE_LIMITED", `too many verification attempts; retry after ${retryAfterSeconds}s`, { headers: { "Retry-After": String(retryAfterSeconds) } });
    const limit = verifyLimiter.take(address);
    if (!limit.allowed) throw tooMany(limit.retryAfterSeconds);
    const sourceFailures = failedVerifyLimiter.peek(`address:${address}`);
    if (!sourceFailures.allowed) throw tooMany(sourceFailures.retryAfterSeconds);
    const authorization = c.req.header("authorization")?.match(/^(?:Api-Key|Bearer)\s+(\S+)$/i)?.[1];
    const pairSecret = c.req.header("x-api-key");
    const pairClientId = c.req.header("x-client-id");
    const secret = authorization ?? pairSecret;
    if (!secret) {
      throw new ApiError(401, "UNAUTHENTICATED", "send the key as Authorization: Api-Key <key>, Authorization: Bearer <key>, or x-client-id + x-api-key");
    }
    const prefix = `prefix:${secret.slice(0, 12)}`;
    const prefixFailures = failedVerifyLimiter.peek(prefix);
    if (!prefixFailures.allowed) throw tooMany(prefixFailures.retryAfterSeconds);
    const result = await verifyKey(ctx, secret, authorization ? undefined : pairClientId);
    if (!result.ok && result.reason === "NOT_FOUND") {
      failedVerifyLimiter.take(`address:${address}`);
      failedVerifyLimiter.take(prefix);
    }
    if (!result.ok) {
      return c.json({ error: { code: "UNAUTHENTICATED", reason: result.reason, message: `key refused: ${result.reason}`, requestId: c.get("requestId") } }, 401);
    }
    const { ok: _ok, ...identity } = result;
    return c.json(identity);
  };
  app.get("/v1/whoami", verify);
  app.post("/v1/verify", verify);

  return app;
}
