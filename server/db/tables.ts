/** Row shapes shared by SQLite and PostgreSQL. Timestamps are ISO-8601 UTC text so they sort the same in both. */
export interface SettingsTable {
  name: string;
  value: string;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface TokensTable {
  id: string;
  org_id: string;
  hash: string;
  hint: string;
  created_at: string;
  name: string;
  description: string;
  /** "manage" or "read" (GET only). */
  scope: string;
  /** "root" or the id of the token that issued this one. */
  created_by: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface KeysTable {
  id: string;
  org_id: string;
  display_name: string;
  description: string;
  environment: string;
  enabled: number;
  /** JSON array of privileges. */
  privileges: string;
  /** JSON object of string metadata (for example the Pulumi stack that manages the key). */
  metadata: string;
  expires_at: string | null;
  /** ISO-8601 duration: create and every roll set expires_at to the issue time plus this. */
  lifetime: string | null;
  created_at: string;
  updated_at: string;
  /** When the current secret was issued (creation or the last roll); null only before migration 0005 filled it. */
  secret_issued_at: string | null;
  last_used_at: string | null;
  hint: string;
  /** Set by an immediate revoke: the key is gone. */
  revoked_at: string | null;
  /** Why it was revoked when not by its owner: `leaked` (a secret-scanning alert). */
  revoked_reason: string | null;
  /** Set by a revoke with a grace period: the key keeps working until then. */
  revokes_at: string | null;
}

/** A key has one current secret, and during a roll's grace period the previous one too. */
export interface KeySecretsTable {
  hash: string;
  key_id: string;
  created_at: string;
  expires_at: string | null;
}

export interface AuditLogTable {
  id: string;
  org_id: string;
  at: string;
  action: string;
  key_id: string | null;
  actor: string;
  /** JSON object; never holds a secret or token. */
  details: string;
}

export interface IdempotencyTable {
  org_id: string;
  idem_key: string;
  operation: string;
  request_hash: string;
  key_id: string;
  created_at: string;
}

export interface Tables {
  settings: SettingsTable;
  organizations: OrganizationsTable;
  tokens: TokensTable;
  keys: KeysTable;
  key_secrets: KeySecretsTable;
  audit_log: AuditLogTable;
  idempotency: IdempotencyTable;
}
