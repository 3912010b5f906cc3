import type { Kysely, Transaction } from "kysely";
import type { AuditAction, AuditEntry } from "../../shared/wire/audit";
import type { Tables } from "../db/tables";
import { newId } from "../ids";

export type { AuditAction, AuditEntry };

/** Written inside the caller's transaction, so a change and its audit record commit or fail together. */
export async function writeAudit(
  trx: Transaction<Tables> | Kysely<Tables>,
  entry: { orgId: string; at: string; action: AuditAction; keyId?: string; actor: string; details?: Record<string, unknown> },
): Promise<void> {
  await trx
    .insertInto("audit_log")
    .values({
      id: newId("aud"),
      org_id: entry.orgId,
      at: entry.at,
      action: entry.action,
      key_id: entry.keyId ?? null,
      actor: entry.actor,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export async function listAudit(db: Kysely<Tables>, orgId: string, options: { limit: number; cursor?: string; keyId?: string }) {
  let query = db.selectFrom("audit_log").selectAll().where("org_id", "=", orgId);
  if (options.cursor) query = query.where("id", ">", options.cursor);
  if (options.keyId) query = query.where("key_id", "=", options.keyId);
  const rows = await query
    .orderBy("id")
    .limit(options.limit + 1)
    .execute();
  const page = rows.slice(0, options.limit);
  return {
    items: page.map((r): AuditEntry => ({
      id: r.id,
      at: r.at,
      action: r.action as AuditAction,
      keyId: r.key_id,
      actor: r.actor,
      details: JSON.parse(r.details),
    })),
    nextCursor: rows.length > options.limit ? page[page.length - 1].id : null,
  };
}
