import type { Kysely } from "kysely";
import { addIsoDuration } from "../../shared/isoDuration";
import { normalizePrivileges } from "../../shared/privilege";
import { writeAudit } from "../audit/auditLog";
import { isoNow, type ServerContext } from "../context";
import { paginate, type Page, type PageRequest } from "../db/paginate";
import type { Tables } from "../db/tables";
import { ApiError } from "../http/apiError";
import { hashSecret, newId, newKeySecret, secretHint, type Environment } from "../ids";
import { claimIdempotencyKey, issueOnce, requestHash, type IssuedKey } from "./idempotency";
import { environmentOf, isLive, keyFromRow, toIso, type KeyRow } from "./keyRows";
import type { CreateKeyBody, Key, UpdateKeyBody } from "./schemas";

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
      secret_issued_at: now,
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

export async function listKeys(
  ctx: ServerContext,
  orgId: string,
  query: PageRequest & { environment?: Environment; enabled?: "true" | "false" },
): Promise<Page<Key>> {
  const now = isoNow(ctx);
  let q = ctx.db
    .selectFrom("keys")
    .selectAll()
    .where("org_id", "=", orgId)
    .where((eb) => isLive(eb, now));
  if (query.environment) q = q.where("environment", "=", query.environment);
  if (query.enabled) q = q.where("enabled", "=", query.enabled === "true" ? 1 : 0);
  return paginate(q, query, (r) => keyFromRow(r, now));
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
      const currentColumns: Readonly<Record<string, unknown>> = current;
      const changed = Object.fromEntries(Object.entries(changes).filter(([column, value]) => currentColumns[column] !== value));
      if (Object.keys(changed).length === 0) return keyFromRow(current, now);
      const updated = { ...current, ...changed, updated_at: now };
      await trx
        .updateTable("keys")
        .set({ ...changed, updated_at: now })
        .where("id", "=", keyId)
        .execute();
      const after = keyFromRow(updated, now);
      const before = keyFromRow(current, now);
      // The API field of each changed column (display_name: displayName), read from the key before and after.
      const beforeFields: Readonly<Record<string, unknown>> = before;
      const afterFields: Readonly<Record<string, unknown>> = after;
      const details: Record<string, unknown> = {};
      for (const column of Object.keys(changed)) {
        const field = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
        details[field] = { from: beforeFields[field], to: afterFields[field] };
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
      const secret = newKeySecret(environmentOf(current));
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
      await trx.updateTable("keys").set({ hint, updated_at: nowIso, secret_issued_at: nowIso, expires_at }).where("id", "=", keyId).execute();
      await writeAudit(trx, {
        orgId,
        at: nowIso,
        action: "key.roll",
        keyId,
        actor,
        details: { gracePeriodSeconds, previousSecretUntil: oldUntil, ...(current.lifetime ? { expiresAt: expires_at } : {}) },
      });
      return {
        key: keyFromRow({ ...current, hint, updated_at: nowIso, secret_issued_at: nowIso, expires_at }, nowIso),
        secret,
        idempotentReplay: false,
      };
    });
    ctx.verifyCache.invalidateKey(keyId);
    return issued;
  });
}
