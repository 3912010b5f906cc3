import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely, PostgresDialect, SqliteDialect, type SqliteDatabase, type SqliteStatement } from "kysely";
import { errorCodeOf, messageOf, ownMessageOf } from "../../shared/caught";
import { SettingsError } from "../settings";
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
    // Parsed first, so a URL the driver would refuse with a bare "Invalid URL" is named here; the
    // message never repeats the URL, which may hold a password.
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SettingsError(
        "DATABASE_URL",
        "is not a valid URL (Invalid URL); percent-encode the characters @ : / ? # % and spaces in the user name and password " +
          "(for example p#ss as p%23ss), e.g. postgres://apikeys:p%23ss@db.example.com:5432/apikeys",
      );
    }
    const { Pool } = await import("pg");
    const pool = new Pool({ connectionString: url, max: 10 });
    // An idle connection the database ends (a restart, a failover, an admin) must not crash the
    // server: the pool drops it and the next query opens a new one.
    pool.on("error", () => undefined);
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }), log });
    opened = { queries, db, kind: "postgres", description: `postgres://${parsed.host}${parsed.pathname}`, close: () => db.destroy() };
  } else if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    const { default: BetterSqlite } = await import("better-sqlite3");
    if (path !== ":memory:") makeDirectories(dirname(resolve(path)));
    let sqlite: InstanceType<typeof BetterSqlite>;
    try {
      sqlite = new BetterSqlite(path === ":memory:" ? ":memory:" : resolve(path));
    } catch (error) {
      throw new Error(`DATABASE_URL: cannot open the SQLite database at ${resolve(path)}: ${messageOf(error)}`, { cause: error });
    }
    try {
      sqlite.pragma("journal_mode = WAL");
      // In WAL mode NORMAL never corrupts the database; a power cut may drop the last commits, which
      // for a key means a secret the client never received back or a revoke to repeat. It doubles create throughput.
      sqlite.pragma("synchronous = NORMAL");
      sqlite.pragma("busy_timeout = 5000");
      sqlite.pragma("foreign_keys = ON");
    } catch (error) {
      // The first statement is where a file that is not a database (or cannot be written) shows.
      sqlite.close();
      throw unusableDatabase(error, `sqlite:${path}`);
    }
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), log });
    opened = { queries, db, kind: "sqlite", description: `sqlite:${path}`, close: () => db.destroy() };
  } else {
    throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got a value starting with "${url.split(":")[0]}")`);
  }
  try {
    await migrateToLatest(opened.db);
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw unusableDatabase(error, opened.description);
  }
  return opened;
}

/** The fix for each way the first statement can fail, by the driver's error code. */
const FIXES: Record<string, string> = {
  ECONNREFUSED: "check that PostgreSQL is running there and that the host and port are right",
  ENOTFOUND: "check the host name",
  EAI_AGAIN: "check the host name and this machine's DNS",
  ETIMEDOUT: "check that the host is reachable from this machine (firewall, network)",
  EHOSTUNREACH: "check that the host is reachable from this machine (firewall, network)",
  ENETUNREACH: "check that the host is reachable from this machine (firewall, network)",
  "28P01": "check the user name and password (percent-encode special characters in the password)",
  "28000": "check the user name, and that pg_hba.conf lets it connect from this machine",
  "3D000": "create the database (createdb <name>) or name one that exists",
  SQLITE_NOTADB: "point it at an apikeys SQLite database, or at a path where a new one can be made",
  SQLITE_CANTOPEN: "choose a path the server can read and write, e.g. sqlite:./.apikeys/apikeys.db",
  SQLITE_READONLY: "the server needs to write the database: fix its permissions or choose another path",
};

/**
 * A database that could not be used at start, as a DATABASE_URL error: `connect ECONNREFUSED` or
 * `password authentication failed` alone did not say which setting to fix. Names the place
 * (without credentials), the driver's own words, and the fix.
 */
function unusableDatabase(error: unknown, description: string): Error {
  if (error instanceof SettingsError) return error;
  const caught = error !== null && typeof error === "object" ? error : {};
  const code = errorCodeOf(error) ?? ("cause" in caught ? errorCodeOf(caught.cause) : undefined);
  // A refused connection to a name with several addresses is an AggregateError with no message of its own.
  const inner = "errors" in caught ? caught.errors : undefined;
  const words = ownMessageOf(error) || (Array.isArray(inner) ? inner.map(ownMessageOf).join("; ") : undefined) || code || String(error);
  const fix = code !== undefined ? FIXES[code] : undefined;
  return new SettingsError(
    "DATABASE_URL",
    `cannot use the database at ${description} (${words})${fix ? `; ${fix}` : "; check the URL and that the database is reachable"}`,
    { cause: error },
  );
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
      const code = errorCodeOf(error);
      if (code === "EEXIST") continue;
      throw new Error(
        `DATABASE_URL: cannot create the directory ${d} for the SQLite database (${code ?? messageOf(error)}); choose a path you can write, e.g. sqlite:./.apikeys/apikeys.db`,
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
