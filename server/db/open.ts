import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from "kysely";
import { migrateToLatest } from "./migrations";
import type { Tables } from "./tables";

export type DatabaseKind = "sqlite" | "postgres";

/** Counts statements sent to the database (for /metrics and the benchmark). */
export interface QueryCounter {
  count: number;
}

export interface OpenDatabase {
  readonly queries: QueryCounter;
  readonly db: Kysely<Tables>;
  readonly kind: DatabaseKind;
  /** The place the data lives, without credentials (safe to log). */
  readonly description: string;
  close(): Promise<void>;
}

/** `sqlite:<path>` (or `sqlite::memory:`), or a `postgres://` / `postgresql://` URL. */
export async function openDatabase(url: string): Promise<OpenDatabase> {
  let opened: OpenDatabase;
  const queries: QueryCounter = { count: 0 };
  const log = () => {
    queries.count++;
  };
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const { Pool } = await import("pg");
    const pool = new Pool({ connectionString: url, max: 10 });
    // An idle connection the database ends (a restart, a failover, an admin) must not crash the
    // server: the pool drops it and the next query opens a new one.
    pool.on("error", () => undefined);
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }), log });
    const parsed = new URL(url);
    opened = { queries, db, kind: "postgres", description: `postgres://${parsed.host}${parsed.pathname}`, close: () => db.destroy() };
  } else if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    const { default: BetterSqlite } = await import("better-sqlite3");
    if (path !== ":memory:") makeDirectories(dirname(resolve(path)));
    let sqlite: InstanceType<typeof BetterSqlite>;
    try {
      sqlite = new BetterSqlite(path === ":memory:" ? ":memory:" : resolve(path));
    } catch (error) {
      throw new Error(`DATABASE_URL: cannot open the SQLite database at ${resolve(path)}: ${(error as Error).message}`, { cause: error });
    }
    sqlite.pragma("journal_mode = WAL");
    // In WAL mode NORMAL never corrupts the database; a power cut may drop the last commits, which
    // for a key means a secret the client never received back or a revoke to repeat. It doubles create throughput.
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("foreign_keys = ON");
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), log });
    opened = { queries, db, kind: "sqlite", description: `sqlite:${path}`, close: () => db.destroy() };
  } else {
    throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got a value starting with "${url.split(":")[0]}")`);
  }
  await migrateToLatest(opened.db);
  return opened;
}

/**
 * Creates a directory and its missing parents one level at a time. Node's own recursive mkdirSync
 * never returns for some unwritable paths (measured: `/proc/1/nope`), which left the server hanging
 * with no output; one level at a time fails at once with the level that could not be made.
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw new Error(
        `DATABASE_URL: cannot create the directory ${d} for the SQLite database (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose a path you can write, e.g. sqlite:./.apikeys/apikeys.db`,
        { cause: error },
      );
    }
  }
}

/**
 * The SQLite database with each distinct SQL text prepared once. Kysely asks for a new prepared
 * statement on every query, and preparing was 5% of a create's CPU; queries are parameterized, so the
 * texts are few (bounded anyway). SQLite re-prepares a cached statement itself after a schema change.
 */
function withStatementCache(sqlite: { prepare(sql: string): SqliteStatement; close(): void }): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (statements.size < 1000) statements.set(sql, statement);
      }
      return statement;
    },
  };
}
