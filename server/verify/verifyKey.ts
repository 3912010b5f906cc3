import type { Privilege } from "../../shared/privilege";
import type { ServerContext } from "../context";
import { LastUsedWrites } from "../db/lastUsed";
import { hasValidChecksum, hashSecret } from "../ids";
import type { VerifiedSecretRow } from "./verifyCache";

export type VerifyFailureReason = "NOT_FOUND" | "DISABLED" | "EXPIRED" | "REVOKED";

export type VerifyResult =
  | {
      readonly ok: true;
      readonly keyId: string;
      readonly organizationId: string;
      readonly displayName: string;
      readonly environment: string;
      readonly privileges: Privilege[];
      readonly expiresAt: string | null;
    }
  | { readonly ok: false; readonly reason: VerifyFailureReason };

const lastUsed = new LastUsedWrites();

/**
 * Looks the secret up by its keyed hash, so there is no secret comparison whose timing could leak:
 * an unknown key and a wrong key cost the same indexed read. A string with a bad checksum is refused
 * without touching the database (it cannot be one of ours).
 */
export async function verifyKey(ctx: ServerContext, secret: string, expectedKeyId?: string): Promise<VerifyResult> {
  if (!hasValidChecksum(secret) || !secret.startsWith("ak_")) return { ok: false, reason: "NOT_FOUND" };
  const now = ctx.now();
  const hash = hashSecret(ctx.pepper, secret);
  let row = ctx.verifyCache.get(hash, now.getTime());
  if (!row) {
    row = await readSecretRow(ctx, hash);
    if (row) ctx.verifyCache.set(hash, row, now.getTime());
  }
  if (!row || (expectedKeyId !== undefined && row.id !== expectedKeyId)) return { ok: false, reason: "NOT_FOUND" };
  const nowIso = now.toISOString();
  if (row.revokedAt !== null || (row.revokesAt !== null && row.revokesAt <= nowIso)) return { ok: false, reason: "REVOKED" };
  if (row.secretExpiresAt !== null && row.secretExpiresAt <= nowIso) return { ok: false, reason: "EXPIRED" };
  if (row.keyExpiresAt !== null && row.keyExpiresAt <= nowIso) return { ok: false, reason: "EXPIRED" };
  if (row.enabled !== 1) return { ok: false, reason: "DISABLED" };
  if (lastUsed.due(row.id, now.getTime())) {
    await ctx.db.updateTable("keys").set({ last_used_at: nowIso }).where("id", "=", row.id).execute();
  }
  return {
    ok: true,
    keyId: row.id,
    organizationId: row.orgId,
    displayName: row.displayName,
    environment: row.environment,
    privileges: JSON.parse(row.privileges) as Privilege[],
    expiresAt: row.keyExpiresAt,
  };
}

async function readSecretRow(ctx: ServerContext, hash: string): Promise<VerifiedSecretRow | undefined> {
  return ctx.db
    .selectFrom("key_secrets")
    .innerJoin("keys", "keys.id", "key_secrets.key_id")
    .select([
      "keys.id as id",
      "keys.org_id as orgId",
      "keys.display_name as displayName",
      "keys.environment as environment",
      "keys.enabled as enabled",
      "keys.privileges as privileges",
      "keys.expires_at as keyExpiresAt",
      "keys.revoked_at as revokedAt",
      "keys.revokes_at as revokesAt",
      "key_secrets.expires_at as secretExpiresAt",
    ])
    .where("key_secrets.hash", "=", hash)
    .executeTakeFirst();
}
