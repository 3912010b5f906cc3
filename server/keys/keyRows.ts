import type { ExpressionBuilder, Selectable } from "kysely";
import type { Privilege } from "../../shared/privilege";
import type { KeysTable, Tables } from "../db/tables";
import type { Environment } from "../ids";
import type { Key } from "./schemas";

/** A row of the `keys` table, as read. */
export type KeyRow = Selectable<KeysTable>;

/** Not revoked, and not past a scheduled revocation. */
export function isLive(eb: ExpressionBuilder<Tables, "keys">, nowIso: string) {
  return eb.and([eb("keys.revoked_at", "is", null), eb.or([eb("keys.revokes_at", "is", null), eb("keys.revokes_at", ">", nowIso)])]);
}

/** The key as the API answers it (shared/wire/key.ts), its status evaluated at `now` (ISO-8601). */
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

/** A time from a request as the database stores it (ISO-8601 in UTC), or null. */
export function toIso(value: string | null | undefined): string | null {
  return value ? new Date(value).toISOString() : null;
}
