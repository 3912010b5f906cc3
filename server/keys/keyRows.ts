import type { ExpressionBuilder, Selectable } from "kysely";
import { storedJson, storedLiteral } from "../db/storedValues";
import type { KeysTable, Tables } from "../db/tables";
import { ENVIRONMENTS, type Environment } from "../ids";
import { keySchema, type Key } from "./schemas";

/** A row of the `keys` table, as read. */
export type KeyRow = Selectable<KeysTable>;

/** Not revoked, and not past a scheduled revocation. */
export function isLive(eb: ExpressionBuilder<Tables, "keys">, nowIso: string) {
  return eb.and([eb("keys.revoked_at", "is", null), eb.or([eb("keys.revokes_at", "is", null), eb("keys.revokes_at", ">", nowIso)])]);
}

/** The wire schema of a key, built at its first use: its fields parse the JSON columns they are stored in. */
let keyFields: ReturnType<typeof keySchema>["shape"] | undefined;

/** The row's environment, checked: the one its secrets carry (`ak_live_`, `ak_test_`). */
export function environmentOf(row: Pick<KeyRow, "id" | "environment">): Environment {
  return storedLiteral(ENVIRONMENTS, row.environment, `keys.environment of ${row.id}`);
}

/** The key as the API answers it (shared/wire/key.ts), its status evaluated at `now` (ISO-8601). */
export function keyFromRow(row: KeyRow, now: string): Key {
  const revoked = row.revoked_at !== null || (row.revokes_at !== null && row.revokes_at <= now);
  const revoking = !revoked && row.revokes_at !== null;
  const expired = row.expires_at !== null && row.expires_at <= now;
  keyFields ??= keySchema().shape;
  return {
    id: row.id,
    displayName: row.display_name,
    description: row.description,
    environment: environmentOf(row),
    enabled: row.enabled === 1,
    privileges: storedJson(keyFields.privileges, row.privileges, `keys.privileges of ${row.id}`),
    metadata: storedJson(keyFields.metadata, row.metadata, `keys.metadata of ${row.id}`),
    expiresAt: row.expires_at,
    lifetime: row.lifetime,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    secretIssuedAt: row.secret_issued_at ?? row.created_at,
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
