import { Kysely, Migrator, sql, type ColumnDefinitionBuilder, type Migration, type MigrationProvider } from "kysely";
import { messageOf } from "../../shared/caught";
import type { Tables } from "./tables";

/**
 * Migrations live in code (not files) so the bundled server carries them. Kysely's migrator takes a
 * lock (a row lock on PostgreSQL), so replicas starting at once apply each migration exactly once.
 */
/**
 * A migration sees the database as it was when the migration was written, not as `Tables` says it
 * is now, so it is typed with no tables at all (Kysely's schema builder needs none).
 */
type AnySchema = Kysely<Record<string, never>>;

const migrations: Record<string, Migration> = {
  "0001_initial": {
    async up(db: AnySchema) {
      await db.schema
        .createTable("settings")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("organizations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("tokens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
        .addColumn("hash", "text", (c) => c.notNull().unique())
        .addColumn("hint", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id"))
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("environment", "text", (c) => c.notNull())
        .addColumn("enabled", "integer", (c) => c.notNull())
        .addColumn("privileges", "text", (c) => c.notNull())
        .addColumn("metadata", "text", (c) => c.notNull())
        .addColumn("expires_at", "text")
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .addColumn("last_used_at", "text")
        .addColumn("hint", "text", (c) => c.notNull())
        .addColumn("revoked_at", "text")
        .addColumn("revokes_at", "text")
        .execute();
      await db.schema.createIndex("keys_org_id").on("keys").columns(["org_id", "id"]).execute();
      await db.schema
        .createTable("key_secrets")
        .addColumn("hash", "text", (c) => c.primaryKey())
        .addColumn("key_id", "text", (c) => c.notNull().references("keys.id"))
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text")
        .execute();
      await db.schema.createIndex("key_secrets_key_id").on("key_secrets").column("key_id").execute();
      await db.schema
        .createTable("audit_log")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("key_id", "text")
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("details", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("audit_log_org_id").on("audit_log").columns(["org_id", "id"]).execute();
      await db.schema
        .createTable("idempotency")
        .addColumn("org_id", "text", (c) => c.notNull())
        .addColumn("idem_key", "text", (c) => c.notNull())
        .addColumn("operation", "text", (c) => c.notNull())
        .addColumn("request_hash", "text", (c) => c.notNull())
        .addColumn("key_id", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("idempotency_pk", ["org_id", "idem_key"])
        .execute();
    },
  },
  // Admin tokens get a lifecycle: a name, a scope, an expiry, last use and revocation. Tokens issued
  // before this migration keep working as "manage" tokens with no expiry.
  "0002_token_lifecycle": {
    async up(db: AnySchema) {
      const add = (column: string, type: "text", build?: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder) =>
        db.schema
          .alterTable("tokens")
          .addColumn(column, type, build ?? ((c) => c))
          .execute();
      await add("name", "text", (c) => c.notNull().defaultTo("admin token"));
      await add("description", "text", (c) => c.notNull().defaultTo(""));
      await add("scope", "text", (c) => c.notNull().defaultTo("manage"));
      await add("created_by", "text", (c) => c.notNull().defaultTo("root"));
      await add("expires_at", "text");
      await add("last_used_at", "text");
      await add("revoked_at", "text");
      await db.schema.createIndex("tokens_org_id").on("tokens").columns(["org_id", "id"]).execute();
    },
  },
  // Keys get a lifetime: the server moves their expiry forward at each roll. Existing keys have none.
  "0003_key_lifetime": {
    async up(db: AnySchema) {
      await db.schema.alterTable("keys").addColumn("lifetime", "text").execute();
    },
  },
  // A key revoked because its secret leaked says so, so a stack's refresh can tell it from a deletion.
  "0004_key_revoked_reason": {
    async up(db: AnySchema) {
      await db.schema.alterTable("keys").addColumn("revoked_reason", "text").execute();
    },
  },
  // A key says when its current secret was issued (the console's secret age, a report's), instead of
  // each reader searching the audit log. Existing keys: their newest secret's issue time.
  "0005_key_secret_issued_at": {
    async up(db: AnySchema) {
      await db.schema.alterTable("keys").addColumn("secret_issued_at", "text").execute();
      await sql`update keys set secret_issued_at = coalesce((select max(s.created_at) from key_secrets s where s.key_id = keys.id), keys.created_at)`.execute(
        db,
      );
    },
  },
};

class InCodeMigrations implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrations);
  }
}

export async function migrateToLatest(db: Kysely<Tables>): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    // No migration ran: the database could not be reached or read at all (refused connection, wrong
    // password, not a database). That is the caller's to explain, with the original error's code.
    // (Drivers throw Errors; anything else is wrapped, its code still read from the cause.)
    if (failed === undefined) throw error instanceof Error ? error : new Error(messageOf(error), { cause: error });
    throw new Error(`database migration ${failed} failed: ${messageOf(error)}`, { cause: error });
  }
}
