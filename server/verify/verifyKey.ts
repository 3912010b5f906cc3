import type { ServerContext } from "../context";
import { LastUsedWrites } from "../db/lastUsed";
import { hasValidChecksum, hashSecret } from "../ids";
import { verifiedSecretOf, type VerifiedSecret, type VerifiedSecretRow } from "./verifyCache";

export type VerifyFailureReason = "NOT_FOUND" | "DISABLED" | "EXPIRED" | "REVOKED";

/** A verified key is answered from its cached verification as is: no copy per request. */
export type VerifyResult = { readonly ok: true; readonly verified: VerifiedSecret } | { readonly ok: false; readonly reason: VerifyFailureReason };

const lastUsed = new LastUsedWrites();

/** The refusals are the same every time: made once, not per request. */
const REFUSED: { readonly [R in VerifyFailureReason]: VerifyResult } = {
  NOT_FOUND: { ok: false, reason: "NOT_FOUND" },
  DISABLED: { ok: false, reason: "DISABLED" },
  EXPIRED: { ok: false, reason: "EXPIRED" },
  REVOKED: { ok: false, reason: "REVOKED" },
};

/**
 * Looks the secret up by its keyed hash, so there is no secret comparison whose timing could leak:
 * an unknown key and a wrong key cost the same indexed read. A string with a bad checksum is refused
 * without touching the database (it cannot be one of ours); a cached hash needs no such check, since
 * only a secret we issued hashes to it.
 *
 * A cached key is answered synchronously (no promise, no turn of the microtask queue): that is
 * nearly every verification. Only a database read (a miss) or a due last-use write (at most once a
 * minute per key) makes it wait; callers `await` the answer either way.
 */
export function verifyKey(ctx: ServerContext, secret: string, expectedKeyId?: string, now: Date = ctx.now()): VerifyResult | Promise<VerifyResult> {
  const nowMs = now.getTime();
  const hash = hashSecret(ctx.pepper, secret);
  const cached = ctx.verifyCache.get(hash, nowMs);
  if (cached) return judge(ctx, cached, expectedKeyId, nowMs);
  if (!hasValidChecksum(secret) || !secret.startsWith("ak_")) return REFUSED.NOT_FOUND;
  return readAndJudge(ctx, hash, expectedKeyId, nowMs);
}

async function readAndJudge(ctx: ServerContext, hash: string, expectedKeyId: string | undefined, nowMs: number): Promise<VerifyResult> {
  const row = await readSecretRow(ctx, hash);
  if (!row) return REFUSED.NOT_FOUND;
  const verified = verifiedSecretOf(row);
  ctx.verifyCache.set(hash, verified, nowMs);
  return judge(ctx, verified, expectedKeyId, nowMs);
}

/** The key's state at `nowMs` (times are evaluated on every use, so a cached key still expires on time). */
function judge(ctx: ServerContext, verified: VerifiedSecret, expectedKeyId: string | undefined, nowMs: number): VerifyResult | Promise<VerifyResult> {
  if (expectedKeyId !== undefined && verified.keyId !== expectedKeyId) return REFUSED.NOT_FOUND;
  if (verified.revoked || verified.revokesAtMs <= nowMs) return REFUSED.REVOKED;
  if (verified.secretExpiresAtMs <= nowMs || verified.keyExpiresAtMs <= nowMs) return REFUSED.EXPIRED;
  if (!verified.enabled) return REFUSED.DISABLED;
  if (lastUsed.due(verified.keyId, nowMs)) return recordUse(ctx, verified, nowMs);
  return { ok: true, verified };
}

/** The one write a verification makes, at most once a minute per key (db/lastUsed.ts); the answer waits for it. */
async function recordUse(ctx: ServerContext, verified: VerifiedSecret, nowMs: number): Promise<VerifyResult> {
  await ctx.db
    .updateTable("keys")
    .set({ last_used_at: new Date(nowMs).toISOString() })
    .where("id", "=", verified.keyId)
    .execute();
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
