import type { Context } from "hono";
import type { ServerContext } from "../context";
import { ApiError } from "../http/apiError";
import { callerOf, orgIdOf, type AdminAuth } from "../http/adminAuth";
import type { AppEnv } from "../http/appEnv";
import { FeatureRoutes, named } from "../http/featureRoutes";
import type { IssuedKey } from "./idempotency";
import { createKey, getKey, listKeys, revokeKey, rollKey, updateKey } from "./keyStore";
import {
  createKeyBodySchema,
  getKeyQuerySchema,
  issuedKeySchema,
  keyPageSchema,
  keySchema,
  listKeysQuerySchema,
  revokeKeyQuerySchema,
  rollKeyBodySchema,
  updateKeyBodySchema,
} from "./schemas";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const IDEMPOTENCY_HEADER = {
  name: "Idempotency-Key",
  description: "A retried request with the same key gets the first answer's key back (without its secret).",
  maxLength: 200,
  pattern: IDEMPOTENCY_KEY.source,
};

function idempotencyKeyOf(c: Context): string | undefined {
  const value = c.req.header("idempotency-key");
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) throw ApiError.validation("Idempotency-Key", "must be 1 to 200 printable ASCII characters");
  return value;
}

/** A create or roll answer: 201 with the secret, or 200 without it for an idempotent replay. */
function issuedKeyResponse(c: Context, issued: IssuedKey) {
  return c.json(
    { ...issued.key, ...(issued.secret ? { secret: issued.secret } : {}), idempotentReplay: issued.idempotentReplay },
    issued.idempotentReplay ? 200 : 201,
  );
}

/** An organization's API keys, mounted at /v1/organizations/:orgId/keys. */
export function keyRoutes(ctx: ServerContext, auth: AdminAuth): FeatureRoutes {
  const key = named("Key", keySchema());
  const issuedKey = named("IssuedKey", issuedKeySchema());
  // Checked for its shape before the handler runs (pathIds).
  const keyId = (c: Context<AppEnv>) => c.req.param("keyId") ?? "";

  return new FeatureRoutes({ authenticate: auth.authenticate, authorize: auth.authorizeOrganization })
    .add(
      {
        method: "post",
        path: "/",
        summary: "Create a key; the secret is in this answer only",
        headers: [IDEMPOTENCY_HEADER],
        body: { schema: createKeyBodySchema(), name: "CreateKeyRequest", required: true },
        answers: {
          201: { description: "Created", body: issuedKey },
          200: { description: "Idempotent replay: same key, no secret", body: issuedKey },
          409: { description: "Idempotency-Key reused for a different request" },
        },
      },
      async (c, { body }) => {
        const orgId = orgIdOf(c);
        return issuedKeyResponse(c, await createKey(ctx, orgId, body, callerOf(c).actor, idempotencyKeyOf(c)));
      },
    )
    .add(
      {
        method: "get",
        path: "/",
        summary: "List keys (cursor pagination)",
        query: listKeysQuerySchema(),
        answers: { 200: { description: "A page of keys", body: named("KeyPage", keyPageSchema()) } },
      },
      async (c, { query }) => c.json(await listKeys(ctx, orgIdOf(c), query)),
    )
    .add(
      {
        method: "get",
        path: "/:keyId",
        pathIds: { keyId: "key" },
        summary: "Get a key (a revoked one only with includeRevoked=true, with the reason the server revoked it)",
        query: getKeyQuerySchema(),
        answers: { 200: { description: "The key", body: key } },
      },
      async (c, { query }) => {
        const orgId = orgIdOf(c);
        return c.json(await getKey(ctx, orgId, keyId(c), { includeRevoked: query.includeRevoked === "true" }));
      },
    )
    .add(
      {
        method: "patch",
        path: "/:keyId",
        pathIds: { keyId: "key" },
        summary: "Update a key",
        body: { schema: updateKeyBodySchema(), name: "UpdateKeyRequest", required: true },
        answers: { 200: { description: "The key", body: key } },
      },
      async (c, { body }) => {
        const orgId = orgIdOf(c);
        return c.json(await updateKey(ctx, orgId, keyId(c), body, callerOf(c).actor));
      },
    )
    .add(
      {
        method: "delete",
        path: "/:keyId",
        pathIds: { keyId: "key" },
        summary: "Revoke a key, now or after gracePeriodSeconds",
        query: revokeKeyQuerySchema(),
        answers: { 200: { description: "The key", body: key } },
      },
      async (c, { query }) => {
        const orgId = orgIdOf(c);
        return c.json(await revokeKey(ctx, orgId, keyId(c), query.gracePeriodSeconds, callerOf(c).actor));
      },
    )
    .add(
      {
        method: "post",
        path: "/:keyId/roll",
        pathIds: { keyId: "key" },
        summary: "Issue a new secret; the old one works for gracePeriodSeconds",
        headers: [IDEMPOTENCY_HEADER],
        body: { schema: rollKeyBodySchema(), name: "RollKeyRequest", required: false },
        answers: { 201: { description: "Rolled", body: issuedKey }, 200: { description: "Idempotent replay: same key, no secret", body: issuedKey } },
      },
      async (c, { body }) => {
        const orgId = orgIdOf(c);
        return issuedKeyResponse(c, await rollKey(ctx, orgId, keyId(c), body.gracePeriodSeconds, callerOf(c).actor, idempotencyKeyOf(c)));
      },
    );
}
