import { z } from "zod";
import { createKeyBodySchema, keySchema, rollKeyBodySchema, updateKeyBodySchema } from "./keys/schemas";
import { createTokenBodySchema, tokenSchema } from "./tokens/schemas";

/** OpenAPI 3.1 generated from the same zod schemas that validate requests, so the two cannot drift. */
export function openApiDocument(): Record<string, unknown> {
  const json = (schema: z.ZodType) => {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    return rest;
  };
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const body = (name: string) => ({ required: true, content: { "application/json": { schema: ref(name) } } });
  const answer = (description: string, schema?: unknown) => ({ description, ...(schema ? { content: { "application/json": { schema } } } : {}) });
  const errors = { "400": ref("ErrorResponse"), "401": ref("ErrorResponse"), "403": ref("ErrorResponse"), "404": ref("ErrorResponse"), "429": ref("ErrorResponse") };
  const errorAnswers = Object.fromEntries(Object.entries(errors).map(([status, schema]) => [status, answer("Error", schema)]));
  const orgParam = { name: "orgId", in: "path", required: true, schema: { type: "string" } };
  const tokenParam = { name: "tokenId", in: "path", required: true, schema: { type: "string" } };
  const keyParam = { name: "keyId", in: "path", required: true, schema: { type: "string" } };
  const idempotency = { name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 200 } };
  const issuedToken = { allOf: [ref("Token"), { type: "object", properties: { token: { type: "string", description: "The token's secret: returned once, in this answer only." } } }] };
  const issuedKey = { allOf: [ref("Key"), { type: "object", properties: { secret: { type: "string", description: "Returned once, in the first answer only." }, idempotentReplay: { type: "boolean" } } }] };
  return {
    openapi: "3.1.0",
    info: { title: "pulumi-apikeys reference key API", version: "1" },
    components: {
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer", description: "Root or organization admin token" },
        apiKey: { type: "apiKey", in: "header", name: "Authorization", description: "Api-Key <key> (or Bearer <key>)" },
      },
      schemas: {
        CreateKeyRequest: json(createKeyBodySchema()),
        UpdateKeyRequest: json(updateKeyBodySchema()),
        RollKeyRequest: json(rollKeyBodySchema()),
        Key: json(keySchema()),
        CreateTokenRequest: json(createTokenBodySchema()),
        Token: json(tokenSchema()),
        ErrorResponse: {
          type: "object",
          properties: {
            error: {
              type: "object",
              required: ["code", "message", "requestId"],
              properties: { code: { type: "string" }, message: { type: "string" }, field: { type: "string" }, reason: { type: "string" }, requestId: { type: "string" } },
            },
          },
        },
      },
    },
    security: [{ adminToken: [] }],
    paths: {
      "/v1/me": { get: { summary: "Who an admin token is: its kind, and the organization of an organization token", responses: { "200": answer("The caller"), ...errorAnswers } } },
      "/v1/organizations": { post: { summary: "Create an organization (root token); answers its first admin token once", responses: { "201": answer("Created"), ...errorAnswers } } },
      "/v1/organizations/{orgId}/tokens": {
        get: {
          summary: "List the organization's admin tokens (never their secrets)",
          parameters: [orgParam],
          responses: { "200": answer("Every token, revoked ones included", { type: "object", properties: { items: { type: "array", items: ref("Token") } } }), ...errorAnswers },
        },
        post: {
          summary: "Issue an admin token (scope manage or read, optional expiry); the secret is in this answer only",
          parameters: [orgParam],
          requestBody: { ...body("CreateTokenRequest"), required: false },
          responses: { "201": answer("Issued", issuedToken), ...errorAnswers },
        },
      },
      "/v1/organizations/{orgId}/tokens/{tokenId}": {
        delete: { summary: "Revoke an admin token: refused from the next request on, on every replica", parameters: [orgParam, tokenParam], responses: { "200": answer("The revoked token", ref("Token")), ...errorAnswers } },
      },
      "/v1/organizations/{orgId}/keys": {
        get: {
          summary: "List keys (cursor pagination)",
          parameters: [orgParam, ...["environment", "enabled", "limit", "cursor"].map((name) => ({ name, in: "query", required: false, schema: { type: "string" } }))],
          responses: { "200": answer("A page of keys", { type: "object", properties: { items: { type: "array", items: ref("Key") }, nextCursor: { type: ["string", "null"] } } }), ...errorAnswers },
        },
        post: {
          summary: "Create a key; the secret is in this answer only",
          parameters: [orgParam, idempotency],
          requestBody: body("CreateKeyRequest"),
          responses: { "201": answer("Created", issuedKey), "200": answer("Idempotent replay: same key, no secret", issuedKey), "409": answer("Idempotency-Key reused", ref("ErrorResponse")), ...errorAnswers },
        },
      },
      "/v1/organizations/{orgId}/keys/{keyId}": {
        get: { summary: "Get a key", parameters: [orgParam, keyParam], responses: { "200": answer("The key", ref("Key")), ...errorAnswers } },
        patch: { summary: "Update a key", parameters: [orgParam, keyParam], requestBody: body("UpdateKeyRequest"), responses: { "200": answer("The key", ref("Key")), ...errorAnswers } },
        delete: {
          summary: "Revoke a key, now or after gracePeriodSeconds",
          parameters: [orgParam, keyParam, { name: "gracePeriodSeconds", in: "query", required: false, schema: { type: "integer", minimum: 0 } }],
          responses: { "200": answer("The key", ref("Key")), ...errorAnswers },
        },
      },
      "/v1/organizations/{orgId}/keys/{keyId}/roll": {
        post: { summary: "Issue a new secret; the old one works for gracePeriodSeconds", parameters: [orgParam, keyParam, idempotency], requestBody: body("RollKeyRequest"), responses: { "201": answer("Rolled", issuedKey), ...errorAnswers } },
      },
      "/v1/organizations/{orgId}/audit": { get: { summary: "Audit log", parameters: [orgParam], responses: { "200": answer("A page of audit entries"), ...errorAnswers } } },
      "/v1/whoami": { get: { summary: "Verify a key", security: [{ apiKey: [] }], responses: { "200": answer("Who the key is"), "401": answer("Refused, with reason NOT_FOUND, DISABLED, EXPIRED or REVOKED", ref("ErrorResponse")) } } },
      "/v1/verify": { post: { summary: "Verify a key", security: [{ apiKey: [] }], responses: { "200": answer("Who the key is"), "401": answer("Refused", ref("ErrorResponse")) } } },
    },
  };
}
