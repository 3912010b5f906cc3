import { writeAudit } from "../audit/auditLog";
import { isoNow, type ServerContext } from "../context";
import { hashSecret } from "../ids";

/** What a leak alert did to the key a secret belongs to. */
export type LeakedSecretOutcome =
  /** Not one of our secrets. */
  | "unknown"
  /** The key's current secret: the key is revoked now. */
  | "key_revoked"
  /** A previous secret in its grace after a roll: that secret stops now; the key and its current secret stay. */
  | "grace_ended"
  /** A previous secret already past its grace: nothing works with it, so nothing is revoked (audit note). */
  | "secret_expired"
  /** The key is already revoked: nothing more to do. */
  | "key_gone";

/**
 * Acts on a leaked key secret, and records why. Only what the leaked secret still opens is taken
 * away: the key's current secret revokes the key; a previous secret still in its grace ends that
 * grace (revoking the key would also kill the new secret, which never leaked); a previous secret past
 * its grace opens nothing and only leaves an audit note. A key already revoked stays as it is.
 */
export async function revokeLeakedSecret(
  ctx: ServerContext,
  secret: string,
  report: { readonly url?: string; readonly source?: string; readonly type: string },
): Promise<{ found: boolean; outcome: LeakedSecretOutcome }> {
  const hash = hashSecret(ctx.pepper, secret);
  const now = isoNow(ctx);
  const where = { type: report.type, ...(report.url ? { url: report.url } : {}), ...(report.source ? { source: report.source } : {}) };
  const acted = await ctx.db.transaction().execute(async (trx): Promise<{ keyId: string; outcome: LeakedSecretOutcome } | undefined> => {
    let query = trx
      .selectFrom("key_secrets")
      .innerJoin("keys", "keys.id", "key_secrets.key_id")
      .select([
        "keys.id as id",
        "keys.org_id as orgId",
        "keys.revoked_at as revokedAt",
        "keys.revokes_at as revokesAt",
        "key_secrets.expires_at as secretExpiresAt",
      ])
      .where("key_secrets.hash", "=", hash);
    // Locks the key and the secret: a roll or revoke on another replica waits, then sees the change.
    if (ctx.databaseKind === "postgres") query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    if (row.revokedAt !== null || (row.revokesAt !== null && row.revokesAt <= now)) return { keyId: row.id, outcome: "key_gone" };
    /** The audit entry of what this alert did to the key: by secret-scanning, with where it was found. */
    const audit = (action: "key.leak_reported" | "key.secret_revoke" | "key.revoke", details: Record<string, unknown> = {}) =>
      writeAudit(trx, { orgId: row.orgId, at: now, action, keyId: row.id, actor: "secret-scanning", details: { reason: "leaked", ...details, ...where } });
    if (row.secretExpiresAt !== null && row.secretExpiresAt <= now) {
      await audit("key.leak_reported", { secret: "expired", secretExpiredAt: row.secretExpiresAt });
      return { keyId: row.id, outcome: "secret_expired" };
    }
    if (row.secretExpiresAt !== null) {
      await trx.updateTable("key_secrets").set({ expires_at: now }).where("hash", "=", hash).execute();
      await audit("key.secret_revoke", { secret: "previous", graceWasUntil: row.secretExpiresAt });
      return { keyId: row.id, outcome: "grace_ended" };
    }
    await trx.updateTable("keys").set({ revoked_at: now, revoked_reason: "leaked", updated_at: now }).where("id", "=", row.id).execute();
    await audit("key.revoke");
    return { keyId: row.id, outcome: "key_revoked" };
  });
  if (!acted) return { found: false, outcome: "unknown" };
  ctx.verifyCache.invalidateKey(acted.keyId);
  return { found: true, outcome: acted.outcome };
}
