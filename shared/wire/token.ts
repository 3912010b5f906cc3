import { z } from "zod";

export const TOKEN_SCOPES = ["manage", "read"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** An admin token as listed: never its secret, only the hint. */
export function tokenSchema() {
  return z.object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    scope: z.enum(TOKEN_SCOPES),
    hint: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    lastUsedAt: z.string().nullable().meta({ description: "Recorded at most once a minute." }),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    status: z.enum(["active", "expired", "revoked"]),
  });
}

/** The list answer: every token of the organization. */
export function tokenListSchema() {
  return z.object({ items: z.array(tokenSchema()).meta({ description: "Every token, revoked ones included." }) });
}

/** An issue answer: the token, with its secret in this answer only. */
export function issuedTokenSchema() {
  return tokenSchema().extend({ token: z.string().meta({ description: "The token's secret: returned once, in this answer only." }) });
}

/** Who an admin token is (`GET /v1/me`). */
export function callerSchema() {
  return z.object({
    kind: z.enum(["root", "organization"]),
    organizationId: z.string().optional(),
    tokenId: z.string().optional(),
    scope: z.enum(TOKEN_SCOPES),
  });
}

export type TokenInfo = z.infer<ReturnType<typeof tokenSchema>>;
