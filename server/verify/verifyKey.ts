import type { ServerContext } from "../context";
import { LastUsedWrites } from "../db/lastUsed";
import { hasValidChecksum, hashSecret } from "../ids";
import { verifiedSecretOf, type VerifiedSecret, type VerifiedSecretRow } from "./verifyCache";

export type VerifyFailureReason = "NOT_FOUND" | "DISABLED" | "EXPIRED" | "REVOKED";

/** A verified key is answered from its cached verification as is: no copy per request. */
export type VerifyResult = { readonly ok: true; readonly verified: VerifiedSecret } | { readonly ok: false; readonly reason: VerifyFailureReason };

const lastUsed = new LastUsedWrites();

/**
 * Looks the secret up by its keyed hash, so there is no secret comparison whose timing could leak:
 * an unknown key and a wrong key cost the same indexed read. A string with a bad checksum is refused
 * without touching the database (it cannot be one of ours); a cached hash needs no such check, since
 * only a secret we issued hashes to it.
 */
export async function verifyKey(ctx: ServerContext, secret: string, expectedKeyId?: string, now: Date = ctx.now()): Promise<VerifyResult> {
  const nowMs = now.getTime();
  const hash = hashSecret(ctx.pepper, secret);
  let verified = ctx.verifyCache.get(hash, nowMs);
  if (!verified) {
    if (!hasValidChecksum(secret) || !secret.startsWith("ak_")) return { ok: false, reason: "NOT_FOUND" };
    const row = await readSecretRow(ctx, hash);
    if (row) {
      verified = verifiedSecretOf(row);
      ctx.verifyCache.set(hash, verified, nowMs);
    }
  }
  if (!verified || (expectedKeyId !== undefined && verified.keyId !== expectedKeyId)) return { ok: false, reason: "NOT_FOUND" };
  if (verified.revoked || verified.revokesAtMs <= nowMs) return { ok: false, reason: "REVOKED" };
  if (verified.secretExpiresAtMs <= nowMs || verified.keyExpiresAtMs <= nowMs) return { ok: false, reason: "EXPIRED" };
  if (!verified.enabled) return { ok: false, reason: "DISABLED" };
  if (lastUsed.due(verified.keyId, nowMs)) {
    await ctx.db
      .updateTable("keys")
      .set({ last_used_at: new Date(nowMs).toISOString() })
      .where("id", "=", verified.keyId)
      .execute();
  }
  return { ok: true, verified };
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
