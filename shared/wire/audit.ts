import { z } from "zod";

export const AUDIT_ACTIONS = [
  "organization.create",
  "token.create",
  "token.revoke",
  "key.create",
  "key.update",
  "key.roll",
  "key.revoke",
  "key.revoke_scheduled",
  // A secret-scanning alert named a key's previous secret still in its grace: that secret stops now, the key stays.
  "key.secret_revoke",
  // A secret-scanning alert named a secret or token that no longer works: recorded, nothing to revoke.
  "key.leak_reported",
  "token.leak_reported",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One audit record as the server lists it. */
export function auditEntrySchema() {
  return z.object({
    id: z.string(),
    at: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    keyId: z.string().nullable(),
    actor: z.string().meta({ description: "The admin token id that made the change, or root." }),
    details: z.record(z.string(), z.unknown()),
  });
}

export function auditPageSchema() {
  return z.object({ items: z.array(auditEntrySchema()), nextCursor: z.string().nullable() });
}

export type AuditEntry = z.infer<ReturnType<typeof auditEntrySchema>>;
