import type { Kysely, Selectable, Transaction } from "kysely";
import { writeAudit } from "../audit/auditLog";
import { LastUsedWrites } from "../db/lastUsed";
import type { Tables, TokensTable } from "../db/tables";
import { ApiError } from "../http/apiError";
import { hashSecret, newId, newToken, secretHint } from "../ids";
import { storedLiteral } from "../db/storedValues";
import { TOKEN_SCOPES, type CreateTokenBody, type TokenInfo, type TokenScope } from "./schemas";

/** An organization admin token, its secret returned exactly once. */
export interface IssuedToken extends TokenInfo {
  readonly token: string;
}

/** Who a bearer token is: the root, or one of an organization's admin tokens with its scope and expiry. */
export type Caller =
  { kind: "root"; actor: "root"; scope: "manage" } | { kind: "organization"; orgId: string; actor: string; scope: TokenScope; expiresAt: string | null };

/** The expiry a caller passes on to the tokens it issues: its own (null: none, the root's too). */
export function expiryOf(caller: Caller): string | null {
  return caller.kind === "organization" ? caller.expiresAt : null;
}

/** Why a bearer token was refused; `unknown` covers a wrong token and no token alike. */
export type RefusedToken = "unknown" | "expired" | "revoked";

type TokenRow = Selectable<TokensTable>;

/** A token's status at `nowIso`; only an active one is let in. */
export function statusOf(row: Pick<TokenRow, "revoked_at" | "expires_at">, nowIso: string): TokenInfo["status"] {
  if (row.revoked_at !== null) return "revoked";
  return row.expires_at !== null && row.expires_at <= nowIso ? "expired" : "active";
}

/** The token's scope, checked: what it may do hangs on it. */
function scopeOf(row: Pick<TokenRow, "id" | "scope">): TokenScope {
  return storedLiteral(TOKEN_SCOPES, row.scope, `tokens.scope of ${row.id}`);
}

function tokenFromRow(row: TokenRow, nowIso: string): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    scope: scopeOf(row),
    hint: row.hint,
    createdAt: row.created_at,
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    status: statusOf(row, nowIso),
  };
}

/**
 * The new token's expiry. A token never outlives the one that issued it (`minterExpiresAt`): else
 * a token that expires tomorrow could mint one that never does, and its expiry would mean nothing.
 * Left out, the issuer's expiry is taken; later, it is lowered to the issuer's; null (never) from an
 * issuer that expires is refused, since it cannot be honoured.
 */
function expiryFor(requested: string | null | undefined, minterExpiresAt: string | null, nowIso: string): { expiresAt: string | null; cappedFrom?: string } {
  const asked = requested === undefined || requested === null ? requested : new Date(requested).toISOString();
  if (typeof asked === "string" && asked <= nowIso) throw ApiError.validation("expiresAt", "must be in the future");
  if (minterExpiresAt === null) return { expiresAt: asked ?? null };
  if (asked === null) {
    throw ApiError.validation(
      "expiresAt",
      `cannot be null (no expiry): the token issuing it expires at ${minterExpiresAt}, and a token cannot outlive the token that issued it; ` +
        `give an expiresAt at or before ${minterExpiresAt} (or leave it out to get that one), or issue the token with the root token or a token without an expiry`,
    );
  }
  if (asked === undefined) return { expiresAt: minterExpiresAt };
  return asked > minterExpiresAt ? { expiresAt: minterExpiresAt, cappedFrom: asked } : { expiresAt: asked };
}

/** Inserts a token inside the caller's transaction and writes its audit entry there too. */
export async function insertToken(
  trx: Transaction<Tables> | Kysely<Tables>,
  pepper: string,
  orgId: string,
  body: CreateTokenBody,
  actor: string,
  nowIso: string,
  minterExpiresAt: string | null = null,
): Promise<IssuedToken> {
  const expiry = expiryFor(body.expiresAt, minterExpiresAt, nowIso);
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
    expires_at: expiry.expiresAt,
    last_used_at: null,
    revoked_at: null,
  };
  await trx.insertInto("tokens").values(row).execute();
  await writeAudit(trx, {
    orgId,
    at: nowIso,
    action: "token.create",
    actor,
    details: {
      tokenId: row.id,
      hint: row.hint,
      name: row.name,
      scope: row.scope,
      expiresAt: row.expires_at,
      ...(expiry.cappedFrom ? { requestedExpiresAt: expiry.cappedFrom, cappedBy: "the issuing token's expiry" } : {}),
    },
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
  minterExpiresAt: string | null = null,
): Promise<IssuedToken> {
  return db.transaction().execute((trx) => insertToken(trx, pepper, orgId, body, actor, nowIso, minterExpiresAt));
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
  const scope = scopeOf(row);
  if (lastUsed.due(row.id, now.getTime())) {
    await db.updateTable("tokens").set({ last_used_at: nowIso }).where("id", "=", row.id).execute();
  }
  return { caller: { kind: "organization", orgId: row.org_id, actor: row.id, scope, expiresAt: row.expires_at } };
}
