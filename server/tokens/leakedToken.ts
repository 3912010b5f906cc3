import type { Kysely, Transaction } from "kysely";
import { writeAudit } from "../audit/auditLog";
import type { Tables } from "../db/tables";
import { hashSecret } from "../ids";
import { statusOf } from "./tokenStore";

/** What a leak alert did to an organization token: revoked it, or found it already unusable. */
export type LeakedTokenOutcome = "unknown" | "token_revoked" | "token_gone";

/**
 * A token minted from a leaked token that still works, as the revocation names it (never its secret):
 * minted by the leaked token itself or by any token minted from it, however deep.
 */
export interface IssuedByLeakedToken {
  readonly tokenId: string;
  readonly name: string;
  readonly hint: string;
  readonly createdAt: string;
  /** The token that minted it: the leaked one, or one in between (perhaps revoked), to follow the chain back. */
  readonly createdBy: string;
}

/**
 * Every token minted from `tokenId`, however deep, that still works at `nowIso`. The walk goes through
 * revoked and expired tokens too: whoever holds the leaked token could mint a token, mint more with
 * that one and then revoke it, and the tokens it left behind would be named nowhere (issue 34).
 * One recursive query on both databases; UNION (not UNION ALL) ends the walk even on a cycle.
 */
async function workingTokensMintedFrom(trx: Transaction<Tables>, orgId: string, tokenId: string, nowIso: string): Promise<IssuedByLeakedToken[]> {
  const rows = await trx
    .withRecursive("minted(id)", (db) =>
      db
        .selectFrom("tokens")
        .select("tokens.id")
        .where("tokens.org_id", "=", orgId)
        .where("tokens.created_by", "=", tokenId)
        .union(db.selectFrom("tokens").innerJoin("minted", "minted.id", "tokens.created_by").select("tokens.id").where("tokens.org_id", "=", orgId)),
    )
    .selectFrom("tokens")
    .innerJoin("minted", "minted.id", "tokens.id")
    .select(["tokens.id", "tokens.name", "tokens.hint", "tokens.created_at", "tokens.created_by", "tokens.expires_at", "tokens.revoked_at"])
    .orderBy("tokens.created_at")
    .orderBy("tokens.id")
    .execute();
  return rows
    .filter((t) => t.id !== tokenId && statusOf(t, nowIso) === "active")
    .map((t) => ({ tokenId: t.id, name: t.name, hint: t.hint, createdAt: t.created_at, createdBy: t.created_by }));
}

/**
 * Revokes an organization token named by a secret-scanning alert, at once (audit `token.revoke`,
 * actor `secret-scanning`, reason `leaked`); tokens are looked up per request, so every replica
 * refuses it from its next request. A token already revoked is left alone; an expired one gets an
 * audit note (`token.leak_reported`) and nothing else, as it opens nothing.
 */
export async function revokeLeakedToken(
  db: Kysely<Tables>,
  options: { pepper: string; lockRows: boolean },
  token: string,
  report: { readonly url?: string; readonly source?: string; readonly type: string },
  nowIso: string,
): Promise<{ found: boolean; outcome: LeakedTokenOutcome; issuedTokens?: readonly IssuedByLeakedToken[] }> {
  const hash = hashSecret(options.pepper, token);
  const where = { type: report.type, ...(report.url ? { url: report.url } : {}), ...(report.source ? { source: report.source } : {}) };
  return db.transaction().execute(async (trx) => {
    let query = trx.selectFrom("tokens").selectAll().where("hash", "=", hash);
    // On PostgreSQL a concurrent revoke on another replica waits, then sees this one (one audit entry).
    if (options.lockRows) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) return { found: false, outcome: "unknown" as const };
    const details = { tokenId: row.id, hint: row.hint, name: row.name, reason: "leaked", ...where };
    const status = statusOf(row, nowIso);
    if (status === "revoked") return { found: true, outcome: "token_gone" as const };
    if (status === "expired") {
      await writeAudit(trx, {
        orgId: row.org_id,
        at: nowIso,
        action: "token.leak_reported",
        actor: "secret-scanning",
        details: { ...details, token: "expired" },
      });
      return { found: true, outcome: "token_gone" as const };
    }
    await trx.updateTable("tokens").set({ revoked_at: nowIso }).where("id", "=", row.id).where("revoked_at", "is", null).execute();
    // Tokens minted from the leaked one may be an intruder's: named for review, not revoked (they
    // may as well be a team's working jobs, and a defence must not break a legitimate caller).
    const issuedTokens = await workingTokensMintedFrom(trx, row.org_id, row.id, nowIso);
    await writeAudit(trx, {
      orgId: row.org_id,
      at: nowIso,
      action: "token.revoke",
      actor: "secret-scanning",
      details: issuedTokens.length > 0 ? { ...details, issuedTokens } : details,
    });
    return { found: true, outcome: "token_revoked" as const, issuedTokens };
  });
}
