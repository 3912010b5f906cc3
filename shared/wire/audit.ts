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
