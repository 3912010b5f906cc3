import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import { errorCodeOf } from "../../shared/caught";
import { isoNow, type ServerContext } from "../context";
import type { Tables } from "../db/tables";
import { ApiError } from "../http/apiError";
import { keyFromRow } from "./keyRows";
import type { Key } from "./schemas";

/** The answer to a create or roll. `secret` is present only in the first answer to a request. */
export interface IssuedKey {
  readonly key: Key;
  readonly secret?: string;
  /** True when an Idempotency-Key matched an earlier request: same key, no secret. */
  readonly idempotentReplay: boolean;
}

/** What identifies a request for an Idempotency-Key: its operation and body, hashed. */
export function requestHash(operation: string, body: unknown): string {
  return createHash("sha256").update(operation).update(JSON.stringify(body)).digest("base64url");
}

function isUniqueViolation(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
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
export async function claimIdempotencyKey(
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
export async function issueOnce(
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
