import type { Kysely, Transaction } from "kysely";
import { AUDIT_ACTIONS, auditEntrySchema, type AuditAction, type AuditEntry } from "../../shared/wire/audit";
import { paginate, type Page, type PageRequest } from "../db/paginate";
import { storedJson, storedLiteral } from "../db/storedValues";
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

/** The schema of an entry's details in the API's answer, built at its first use: it parses the stored column. */
let detailsSchema: ReturnType<typeof auditEntrySchema>["shape"]["details"] | undefined;

export async function listAudit(db: Kysely<Tables>, orgId: string, options: PageRequest & { keyId?: string }): Promise<Page<AuditEntry>> {
  let query = db.selectFrom("audit_log").selectAll().where("org_id", "=", orgId);
  if (options.keyId) query = query.where("key_id", "=", options.keyId);
  const details = (detailsSchema ??= auditEntrySchema().shape.details);
  return paginate(query, options, (r): AuditEntry => ({
    id: r.id,
    at: r.at,
    action: storedLiteral(AUDIT_ACTIONS, r.action, `audit_log.action of ${r.id}`),
    keyId: r.key_id,
    actor: r.actor,
    details: storedJson(details, r.details, `audit_log.details of ${r.id}`),
  }));
}
