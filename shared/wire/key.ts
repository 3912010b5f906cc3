import { z } from "zod";
import { privilegeSchema } from "../privilege";

/**
 * A key as the reference server answers it: the one wire shape the server writes, the provider's
 * reference backend reads and the console shows (the latter two import the type only).
 */
export function keySchema() {
  return z.object({
    id: z.string(),
    displayName: z.string(),
    description: z.string(),
    environment: z.enum(["live", "test"]),
    enabled: z.boolean(),
    privileges: z.array(privilegeSchema()),
    metadata: z.record(z.string(), z.string()),
    expiresAt: z.string().nullable(),
    lifetime: z
      .string()
      .nullable()
      .meta({ description: "The key's lifetime (ISO-8601 duration): each new secret moves expiresAt to its issue time plus this." }),
    createdAt: z.string(),
    updatedAt: z.string(),
    secretIssuedAt: z.string().meta({ description: "When the key's current secret was issued: at creation, or at its last roll." }),
    lastUsedAt: z.string().nullable(),
    hint: z.string(),
    status: z.enum(["active", "disabled", "expired", "revoking", "revoked"]),
    revokesAt: z.string().nullable().meta({ description: "Set while a delete with a grace period is pending." }),
    revokedReason: z
      .enum(["leaked"])
      .nullable()
      .meta({ description: "Why a revoked key was revoked by the server: leaked (a secret-scanning alert). Listed only with includeRevoked=true." }),
  });
}

/** A create or roll answer: the key, with its secret the first time only. */
export function issuedKeySchema() {
  return keySchema().extend({
    secret: z.string().optional().meta({ description: "Returned once, in the first answer only." }),
    idempotentReplay: z.boolean().meta({ description: "True when an Idempotency-Key matched an earlier request: same key, no secret." }),
  });
}

export function keyPageSchema() {
  return z.object({ items: z.array(keySchema()), nextCursor: z.string().nullable() });
}

export type Key = z.infer<ReturnType<typeof keySchema>>;
export type IssuedKeyAnswer = z.infer<ReturnType<typeof issuedKeySchema>>;
export type KeyPage = z.infer<ReturnType<typeof keyPageSchema>>;
