import type { Kysely, Selectable, Transaction } from "kysely";
import { writeAudit } from "../audit/auditLog";
import { LastUsedWrites } from "../db/lastUsed";
import type { Tables, TokensTable } from "../db/tables";
import { ApiError } from "../http/apiError";
import { hashSecret, newId, newToken, secretHint } from "../ids";
import type { CreateTokenBody, TokenInfo, TokenScope } from "./schemas";

/** An organization admin token, its secret returned exactly once. */
export interface IssuedToken extends TokenInfo {
  readonly token: string;
}

/** Who a bearer token is: the root, or one of an organization's admin tokens with its scope. */
export type Caller = { kind: "root"; actor: "root"; scope: "manage" } | { kind: "organization"; orgId: string; actor: string; scope: TokenScope };

/** Why a bearer token was refused; `unknown` covers a wrong token and no token alike. */
export type RefusedToken = "unknown" | "expired" | "revoked";

type TokenRow = Selectable<TokensTable>;

/** A token's status at `nowIso`; only an active one is let in. */
function statusOf(row: Pick<TokenRow, "revoked_at" | "expires_at">, nowIso: string): TokenInfo["status"] {
  if (row.revoked_at !== null) return "revoked";
  return row.expires_at !== null && row.expires_at <= nowIso ? "expired" : "active";
}

function tokenFromRow(row: TokenRow, nowIso: string): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    scope: row.scope as TokenScope,
    hint: row.hint,
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    status: statusOf(row, nowIso),
  };
}

/** Inserts a token inside the caller's transaction and writes its audit entry there too. */
export async function insertToken(
  trx: Transaction<Tables> | Kysely<Tables>,
  pepper: string,
  orgId: string,
  body: CreateTokenBody,
  actor: string,
  nowIso: string,
): Promise<IssuedToken> {
  if (body.expiresAt !== null && new Date(body.expiresAt).toISOString() <= nowIso) {
    throw ApiError.validation("expiresAt", "must be in the future");
  }
  const token = newToken("at");
  const row: TokenRow = {
    id: newId("tok"),
    org_id: orgId,
    hash: hashSecret(pepper, token),
    hint: secretHint(token),
    created_at: nowIso,
    name: body.name,
    description: body.description,
    scope: body.scope,
    created_by: actor,
    expires_at: body.expiresAt === null ? null : new Date(body.expiresAt).toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  await trx.insertInto("tokens").values(row).execute();
  await writeAudit(trx, {
    orgId,
    at: nowIso,
    action: "token.create",
    actor,
    details: { tokenId: row.id, hint: row.hint, name: row.name, scope: row.scope, expiresAt: row.expires_at },
  });
  return { ...tokenFromRow(row, nowIso), token };
}

export async function createToken(
  db: Kysely<Tables>,
  pepper: string,
  orgId: string,
  body: CreateTokenBody,
  actor: string,
  nowIso: string,
): Promise<IssuedToken> {
  return db.transaction().execute((trx) => insertToken(trx, pepper, orgId, body, actor, nowIso));
}

export async function listTokens(db: Kysely<Tables>, orgId: string, nowIso: string): Promise<{ items: TokenInfo[] }> {
  const rows = await db.selectFrom("tokens").selectAll().where("org_id", "=", orgId).orderBy("id").execute();
  return { items: rows.map((row) => tokenFromRow(row, nowIso)) };
}

/** Takes effect on the next request on every replica: callers are identified from the database each time. */
export async function revokeToken(db: Kysely<Tables>, orgId: string, tokenId: string, actor: string, nowIso: string): Promise<TokenInfo> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("tokens")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("id", "=", tokenId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    if (!row) throw ApiError.notFound(`token ${tokenId}`);
    // The WHERE repeats "not revoked" so two concurrent revokes make one audit entry and one 404.
    const updated = await trx.updateTable("tokens").set({ revoked_at: nowIso }).where("id", "=", tokenId).where("revoked_at", "is", null).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw ApiError.notFound(`token ${tokenId}`);
    await writeAudit(trx, { orgId, at: nowIso, action: "token.revoke", actor, details: { tokenId, hint: row.hint, name: row.name } });
    return tokenFromRow({ ...row, revoked_at: nowIso }, nowIso);
  });
}

const lastUsed = new LastUsedWrites();

export async function identifyCaller(
  db: Kysely<Tables>,
  pepper: string,
  rootTokenHash: string,
  token: string,
  now: Date,
): Promise<{ caller: Caller } | { refused: RefusedToken }> {
  const hash = hashSecret(pepper, token);
  if (hash === rootTokenHash) return { caller: { kind: "root", actor: "root", scope: "manage" } };
  const row = await db.selectFrom("tokens").select(["id", "org_id", "scope", "expires_at", "revoked_at"]).where("hash", "=", hash).executeTakeFirst();
  if (!row) return { refused: "unknown" };
  const nowIso = now.toISOString();
  const status = statusOf(row, nowIso);
  if (status !== "active") return { refused: status };
  if (lastUsed.due(row.id, now.getTime())) {
    await db.updateTable("tokens").set({ last_used_at: nowIso }).where("id", "=", row.id).execute();
  }
  return { caller: { kind: "organization", orgId: row.org_id, actor: row.id, scope: row.scope as TokenScope } };
}
