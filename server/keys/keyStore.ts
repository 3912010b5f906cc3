import { createHash } from "node:crypto";
import type { ExpressionBuilder, Kysely, Selectable } from "kysely";
import { addIsoDuration } from "../../shared/isoDuration";
import { normalizePrivileges, type Privilege } from "../../shared/privilege";
import { writeAudit } from "../audit/auditLog";
import { isoNow, type ServerContext } from "../context";
import type { KeysTable, Tables } from "../db/tables";
import { ApiError } from "../http/apiError";
import { hashSecret, newId, newKeySecret, secretHint, type Environment } from "../ids";
import type { CreateKeyBody, Key, UpdateKeyBody } from "./schemas";

type KeyRow = Selectable<KeysTable>;

/** Not revoked, and not past a scheduled revocation. */
export function isLive(eb: ExpressionBuilder<Tables, "keys">, nowIso: string) {
  return eb.and([eb("keys.revoked_at", "is", null), eb.or([eb("keys.revokes_at", "is", null), eb("keys.revokes_at", ">", nowIso)])]);
}

export function keyFromRow(row: KeyRow, now: string): Key {
  const revoked = row.revoked_at !== null || (row.revokes_at !== null && row.revokes_at <= now);
  const revoking = !revoked && row.revokes_at !== null;
  const expired = row.expires_at !== null && row.expires_at <= now;
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    environment: row.environment as Environment,
    enabled: row.enabled === 1,
    privileges: JSON.parse(row.privileges) as Privilege[],
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    expiresAt: row.expires_at,
    lifetime: row.lifetime,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
    hint: row.hint,
    status: revoked ? "revoked" : revoking ? "revoking" : expired ? "expired" : row.enabled === 1 ? "active" : "disabled",
    revokesAt: revoking ? row.revokes_at : null,
    revokedReason: revoked && row.revoked_reason === "leaked" ? "leaked" : null,
  };
}

/** The answer to a create or roll. `secret` is present only in the first answer to a request. */
export interface IssuedKey {
  readonly key: Key;
  readonly secret?: string;
  /** True when an Idempotency-Key matched an earlier request: same key, no secret. */
  readonly idempotentReplay: boolean;
}

function requestHash(operation: string, body: unknown): string {
  return createHash("sha256").update(operation).update(JSON.stringify(body)).digest("base64url");
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || e?.code === "SQLITE_CONSTRAINT_UNIQUE";
}

function toIso(value: string | null | undefined): string | null {
  return value ? new Date(value).toISOString() : null;
}

/**
 * The key's row if it is live. Inside a write transaction pass `lock`: on PostgreSQL the row is read
 * with SELECT ... FOR UPDATE, so concurrent writers on other replicas wait and then see the committed
 * change (two revokes of one key make one revoke and one 404, never two). SQLite serializes
 * transactions on its single connection.
 */
async function liveRow(
  ctx: ServerContext,
  db: Kysely<Tables>,
  orgId: string,
  keyId: string,
  nowIso: string,
  options: { lock?: boolean } = {},
): Promise<KeyRow> {
  let query = db
    .selectFrom("keys")
    .selectAll()
    .where("org_id", "=", orgId)
    .where("id", "=", keyId)
    .where((eb) => isLive(eb, nowIso));
  if (options.lock && ctx.databaseKind === "postgres") query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw ApiError.notFound(`key ${keyId}`);
  return row;
}

/** What an Idempotency-Key already points at. */
type Seen =
  | { kind: "unseen" }
  | { kind: "replay"; issued: IssuedKey }
  /** A create whose key has since been revoked: the next create may take the row over. */
  | { kind: "revoked"; keyId: string };

/** A replayed Idempotency-Key: the same key again if the request matches, 409 if it does not. */
async function lookUpIdempotencyKey(ctx: ServerContext, orgId: string, idempotencyKey: string, operation: string, hash: string): Promise<Seen> {
  const seen = await ctx.db.selectFrom("idempotency").selectAll().where("org_id", "=", orgId).where("idem_key", "=", idempotencyKey).executeTakeFirst();
  if (!seen) return { kind: "unseen" };
  if (seen.operation !== operation || seen.request_hash !== hash) {
    throw new ApiError(409, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was already used for a different request; send a new key for a new request");
  }
  const row = await ctx.db.selectFrom("keys").selectAll().where("id", "=", seen.key_id).executeTakeFirstOrThrow();
  if (operation === "create" && (row.revoked_at !== null || row.revokes_at !== null)) {
    // A key that was deleted (or is going) is not what a new create asks for: clients derive create
    // keys from a declaration, and a stack may declare the same key again after destroying it.
    return { kind: "revoked", keyId: row.id };
  }
  return { kind: "replay", issued: { key: keyFromRow(row, isoNow(ctx)), idempotentReplay: true } };
}

/** Another request claimed the Idempotency-Key between our read and our write: look again. */
class IdempotencyRaceLost extends Error {}

/**
 * Claims the Idempotency-Key for `keyId` inside the issuing transaction: a new row, or (for a create
 * whose earlier key was revoked) the row that still points at that revoked key. The takeover is a
 * conditional UPDATE, so of two requests that both saw the revoked key exactly one moves the row
 * (PostgreSQL re-checks the WHERE after the first commits) and the other starts over and replays.
 */
async function claimIdempotencyKey(
  trx: Kysely<Tables>,
  claim: { orgId: string; idempotencyKey: string; operation: string; hash: string; keyId: string; now: string; replacing?: string },
): Promise<void> {
  if (claim.replacing === undefined) {
    await trx
      .insertInto("idempotency")
      .values({
        org_id: claim.orgId,
        idem_key: claim.idempotencyKey,
        operation: claim.operation,
        request_hash: claim.hash,
        key_id: claim.keyId,
        created_at: claim.now,
      })
      .execute();
    return;
  }
  const moved = await trx
    .updateTable("idempotency")
    .set({ key_id: claim.keyId, created_at: claim.now })
    .where("org_id", "=", claim.orgId)
    .where("idem_key", "=", claim.idempotencyKey)
    .where("key_id", "=", claim.replacing)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) throw new IdempotencyRaceLost();
}

/** Rounds of read-then-claim before a request gives up with 409; each lost round means another request won. */
const IDEMPOTENCY_ATTEMPTS = 4;

/**
 * Issues a key (create or roll) at most once per Idempotency-Key: a seen key answers the earlier
 * result without its secret, and a concurrent twin (on this or another replica) that loses the race
 * for the idempotency row answers the winner's result. `issue` gets the revoked key whose row it
 * must take over, if any, and claims the row in its own transaction.
 */
async function issueOnce(
  ctx: ServerContext,
  orgId: string,
  idempotency: { key?: string; operation: string; hash: string },
  issue: (replacing?: string) => Promise<IssuedKey>,
): Promise<IssuedKey> {
  if (!idempotency.key) return issue();
  for (let attempt = 0; attempt < IDEMPOTENCY_ATTEMPTS; attempt++) {
    const seen = await lookUpIdempotencyKey(ctx, orgId, idempotency.key, idempotency.operation, idempotency.hash);
    if (seen.kind === "replay") return seen.issued;
    try {
      return await issue(seen.kind === "revoked" ? seen.keyId : undefined);
    } catch (error) {
      if (!(error instanceof IdempotencyRaceLost) && !isUniqueViolation(error)) throw error;
    }
  }
  throw new ApiError(409, "CONFLICT", "concurrent requests with this Idempotency-Key are still settling; retry this request in a moment", {
    headers: { "Retry-After": "1" },
  });
}

export async function createKey(ctx: ServerContext, orgId: string, body: CreateKeyBody, actor: string, idempotencyKey?: string): Promise<IssuedKey> {
  const hash = requestHash("create", body);
  return issueOnce(ctx, orgId, { key: idempotencyKey, operation: "create", hash }, async (replacing) => {
    const now = isoNow(ctx);
    const secret = newKeySecret(body.environment);
    const row: KeyRow = {
      id: newId("key"),
      org_id: orgId,
      display_name: body.displayName,
      description: body.description,
      environment: body.environment,
      enabled: body.enabled ? 1 : 0,
      privileges: JSON.stringify(normalizePrivileges(body.privileges)),
      metadata: JSON.stringify(body.metadata ?? {}),
      expires_at: body.lifetime ? addIsoDuration(new Date(now), body.lifetime).toISOString() : toIso(body.expiresAt),
      lifetime: body.lifetime ?? null,
      revoked_reason: null,
      created_at: now,
      updated_at: now,
      last_used_at: null,
      hint: secretHint(secret),
      revoked_at: null,
      revokes_at: null,
    };
    await ctx.db.transaction().execute(async (trx) => {
      if (idempotencyKey) await claimIdempotencyKey(trx, { orgId, idempotencyKey, operation: "create", hash, keyId: row.id, now, replacing });
      await trx.insertInto("keys").values(row).execute();
      await trx
        .insertInto("key_secrets")
        .values({ hash: hashSecret(ctx.pepper, secret), key_id: row.id, created_at: now, expires_at: null })
        .execute();
      await writeAudit(trx, {
        orgId,
        at: now,
        action: "key.create",
        keyId: row.id,
        actor,
        details: {
          displayName: row.display_name,
          environment: row.environment,
          privileges: JSON.parse(row.privileges),
          expiresAt: row.expires_at,
          ...(row.lifetime ? { lifetime: row.lifetime } : {}),
        },
      });
    });
    return { key: keyFromRow(row, now), secret, idempotentReplay: false };
  });
}

/**
 * A key of the organization. A revoked key answers 404 like one that never existed, unless
 * `includeRevoked`: a stack's refresh asks so it can tell a key revoked as leaked from a deletion.
 */
export async function getKey(ctx: ServerContext, orgId: string, keyId: string, options: { includeRevoked?: boolean } = {}): Promise<Key> {
  const now = isoNow(ctx);
  if (!options.includeRevoked) return keyFromRow(await liveRow(ctx, ctx.db, orgId, keyId, now), now);
  const row = await ctx.db.selectFrom("keys").selectAll().where("org_id", "=", orgId).where("id", "=", keyId).executeTakeFirst();
  if (!row) throw ApiError.notFound(`key ${keyId}`);
  return keyFromRow(row, now);
}

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
    if (row.secretExpiresAt !== null && row.secretExpiresAt <= now) {
      await writeAudit(trx, {
        orgId: row.orgId,
        at: now,
        action: "key.leak_reported",
        keyId: row.id,
        actor: "secret-scanning",
        details: { reason: "leaked", secret: "expired", secretExpiredAt: row.secretExpiresAt, ...where },
      });
      return { keyId: row.id, outcome: "secret_expired" };
    }
    if (row.secretExpiresAt !== null) {
      await trx.updateTable("key_secrets").set({ expires_at: now }).where("hash", "=", hash).execute();
      await writeAudit(trx, {
        orgId: row.orgId,
        at: now,
        action: "key.secret_revoke",
        keyId: row.id,
        actor: "secret-scanning",
        details: { reason: "leaked", secret: "previous", graceWasUntil: row.secretExpiresAt, ...where },
      });
      return { keyId: row.id, outcome: "grace_ended" };
    }
    await trx.updateTable("keys").set({ revoked_at: now, revoked_reason: "leaked", updated_at: now }).where("id", "=", row.id).execute();
    await writeAudit(trx, {
      orgId: row.orgId,
      at: now,
      action: "key.revoke",
      keyId: row.id,
      actor: "secret-scanning",
      details: { reason: "leaked", ...where },
    });
    return { keyId: row.id, outcome: "key_revoked" };
  });
  if (!acted) return { found: false, outcome: "unknown" };
  ctx.verifyCache.invalidateKey(acted.keyId);
  return { found: true, outcome: acted.outcome };
}

export async function listKeys(
  ctx: ServerContext,
  orgId: string,
  query: { environment?: Environment; enabled?: "true" | "false"; limit: number; cursor?: string },
): Promise<{ items: Key[]; nextCursor: string | null }> {
  const now = isoNow(ctx);
  let q = ctx.db
    .selectFrom("keys")
    .selectAll()
    .where("org_id", "=", orgId)
    .where((eb) => isLive(eb, now));
  if (query.environment) q = q.where("environment", "=", query.environment);
  if (query.enabled) q = q.where("enabled", "=", query.enabled === "true" ? 1 : 0);
  if (query.cursor) q = q.where("id", ">", query.cursor);
  const rows = await q
    .orderBy("id")
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  return { items: page.map((r) => keyFromRow(r, now)), nextCursor: rows.length > query.limit ? page[page.length - 1].id : null };
}

export async function updateKey(ctx: ServerContext, orgId: string, keyId: string, body: UpdateKeyBody, actor: string): Promise<Key> {
  const now = isoNow(ctx);
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const current = await liveRow(ctx, trx, orgId, keyId, now, { lock: true });
      const changes: Partial<KeyRow> = {};
      if (body.displayName !== undefined) changes.display_name = body.displayName;
      if (body.description !== undefined) changes.description = body.description;
      if (body.enabled !== undefined) changes.enabled = body.enabled ? 1 : 0;
      if (body.privileges !== undefined) changes.privileges = JSON.stringify(normalizePrivileges(body.privileges));
      if (body.expiresAt !== undefined) changes.expires_at = toIso(body.expiresAt);
      if (body.metadata !== undefined) changes.metadata = JSON.stringify(body.metadata);
      const changed = Object.fromEntries(Object.entries(changes).filter(([column, value]) => current[column as keyof KeyRow] !== value));
      if (Object.keys(changed).length === 0) return keyFromRow(current, now);
      const updated = { ...current, ...changed, updated_at: now };
      await trx
        .updateTable("keys")
        .set({ ...changed, updated_at: now })
        .where("id", "=", keyId)
        .execute();
      const after = keyFromRow(updated, now);
      const before = keyFromRow(current, now);
      const details: Record<string, unknown> = {};
      for (const column of Object.keys(changed)) {
        const field = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof Key;
        details[field] = { from: before[field], to: after[field] };
      }
      await writeAudit(trx, { orgId, at: now, action: "key.update", keyId, actor, details });
      return after;
    })
    .finally(() => ctx.verifyCache.invalidateKey(keyId));
}

/** Revoke now, or, with a grace period, let the key keep working until then (zero-downtime replacement). */
export async function revokeKey(ctx: ServerContext, orgId: string, keyId: string, gracePeriodSeconds: number, actor: string): Promise<Key> {
  const now = ctx.now();
  const revokeAt = new Date(now.getTime() + gracePeriodSeconds * 1000).toISOString();
  return ctx.db
    .transaction()
    .execute(async (trx) => {
      const current = await liveRow(ctx, trx, orgId, keyId, now.toISOString(), { lock: true });
      const changes =
        gracePeriodSeconds > 0
          ? { revokes_at: current.revokes_at && current.revokes_at < revokeAt ? current.revokes_at : revokeAt }
          : { revoked_at: now.toISOString() };
      await trx
        .updateTable("keys")
        .set({ ...changes, updated_at: now.toISOString() })
        .where("id", "=", keyId)
        .execute();
      await writeAudit(trx, {
        orgId,
        at: now.toISOString(),
        action: gracePeriodSeconds > 0 ? "key.revoke_scheduled" : "key.revoke",
        keyId,
        actor,
        details: gracePeriodSeconds > 0 ? { revokesAt: changes.revokes_at, gracePeriodSeconds } : {},
      });
      return keyFromRow({ ...current, ...changes }, now.toISOString());
    })
    .finally(() => ctx.verifyCache.invalidateKey(keyId));
}

/** A new secret for the same key; the old one keeps verifying for `gracePeriodSeconds`, then stops. */
export async function rollKey(
  ctx: ServerContext,
  orgId: string,
  keyId: string,
  gracePeriodSeconds: number,
  actor: string,
  idempotencyKey?: string,
): Promise<IssuedKey> {
  const operation = `roll:${keyId}`;
  const hash = requestHash(operation, { gracePeriodSeconds });
  return issueOnce(ctx, orgId, { key: idempotencyKey, operation, hash }, async () => {
    const now = ctx.now();
    const nowIso = now.toISOString();
    const oldUntil = new Date(now.getTime() + gracePeriodSeconds * 1000).toISOString();
    const issued = await ctx.db.transaction().execute(async (trx) => {
      const current = await liveRow(ctx, trx, orgId, keyId, nowIso, { lock: true });
      const secret = newKeySecret(current.environment as Environment);
      const hint = secretHint(secret);
      if (idempotencyKey) await claimIdempotencyKey(trx, { orgId, idempotencyKey, operation, hash, keyId, now: nowIso });
      // Earlier secrets end at the grace period's end at the latest (never later than they already would).
      await trx
        .updateTable("key_secrets")
        .set({ expires_at: oldUntil })
        .where("key_id", "=", keyId)
        .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", oldUntil)]))
        .execute();
      await trx
        .insertInto("key_secrets")
        .values({ hash: hashSecret(ctx.pepper, secret), key_id: keyId, created_at: nowIso, expires_at: null })
        .execute();
      // A key with a lifetime lives that long from each new secret.
      const expires_at = current.lifetime ? addIsoDuration(now, current.lifetime).toISOString() : current.expires_at;
      await trx.updateTable("keys").set({ hint, updated_at: nowIso, expires_at }).where("id", "=", keyId).execute();
      await writeAudit(trx, {
        orgId,
        at: nowIso,
        action: "key.roll",
        keyId,
        actor,
        details: { gracePeriodSeconds, previousSecretUntil: oldUntil, ...(current.lifetime ? { expiresAt: expires_at } : {}) },
      });
      return { key: keyFromRow({ ...current, hint, updated_at: nowIso, expires_at }, nowIso), secret, idempotentReplay: false };
    });
    ctx.verifyCache.invalidateKey(keyId);
    return issued;
  });
}
