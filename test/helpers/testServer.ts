import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { startServer, type RunningServer, type ServerOptions } from "../../server/index";

export type DatabaseKind = "sqlite" | "postgres";

/** A movable clock: tests jump past grace periods and expiries instead of sleeping. */
export class TestClock {
  private offsetMs = 0;
  private frozenAtMs: number | undefined;
  now = (): Date => new Date((this.frozenAtMs ?? Date.now()) + this.offsetMs);
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
  /**
   * Stops real time from moving the clock: from now on only `advance` does. Rate limits then refill
   * exactly when a test says so, however slowly the machine sends its requests.
   */
  freeze(): void {
    this.frozenAtMs ??= Date.now();
  }
}

export interface ApiAnswer<T = any> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}

export interface TestServer {
  readonly url: string;
  readonly rootToken: string;
  readonly databaseUrl: string;
  readonly kind: DatabaseKind;
  /** Every line the server logged, as JSON text. */
  readonly logs: string[];
  readonly clock: TestClock;
  readonly server: RunningServer;
  api<T = any>(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiAnswer<T>>;
  createOrganization(name?: string): Promise<{ id: string; token: string }>;
  /** Every row of every table as text, to search for secrets. */
  dumpDatabase(): Promise<string>;
  close(): Promise<void>;
}

export function postgresAdminUrl(): string {
  const url = process.env.APIKEYS_TEST_POSTGRES_URL;
  if (!url)
    throw new Error("APIKEYS_TEST_POSTGRES_URL is not set: run the tests with `npm test`, which starts a local PostgreSQL (scripts/ensure-postgres.sh)");
  return url;
}

/** A fresh, empty database for one test server: a new SQLite file, or a new PostgreSQL database. */
export async function freshDatabaseUrl(kind: DatabaseKind): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "apikeys-test-"));
    return { url: `sqlite:${join(dir, "apikeys.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = postgresAdminUrl();
  const name = `apikeys_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function callApi<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

export async function startTestServer(kind: DatabaseKind, options: Partial<ServerOptions> & { databaseUrl?: string } = {}): Promise<TestServer> {
  const fresh = options.databaseUrl ? { url: options.databaseUrl, drop: async () => undefined } : await freshDatabaseUrl(kind);
  const logs: string[] = [];
  const clock = new TestClock();
  const rootToken = `rt_test_${randomBytes(18).toString("base64url")}`;
  const server = await startServer({ databaseUrl: fresh.url, rootToken, log: (line) => logs.push(JSON.stringify(line)), now: clock.now, ...options });
  const api = <T = any>(method: string, path: string, o: Parameters<TestServer["api"]>[2] = {}) => callApi<T>(server.url, method, path, o);
  return {
    url: server.url,
    rootToken,
    databaseUrl: fresh.url,
    kind,
    logs,
    clock,
    server,
    api,
    async createOrganization(name = "acme") {
      const answer = await api("POST", "/v1/organizations", { token: rootToken, body: { name } });
      if (answer.status !== 201) throw new Error(`creating an organization failed: ${answer.status} ${answer.text}`);
      return { id: answer.body.id, token: answer.body.token };
    },
    async dumpDatabase() {
      if (kind === "sqlite") {
        const path = fresh.url.slice("sqlite:".length);
        const { readFileSync, existsSync } = await import("node:fs");
        // The main file and the write-ahead log: a secret must be in neither.
        return [path, `${path}-wal`]
          .filter(existsSync)
          .map((p) => readFileSync(p).toString("latin1"))
          .join("\n");
      }
      const client = new Client({ connectionString: fresh.url });
      await client.connect();
      const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
      const dumps: string[] = [];
      for (const { tablename } of tables.rows) dumps.push(JSON.stringify((await client.query(`SELECT * FROM "${tablename}"`)).rows));
      await client.end();
      return dumps.join("\n");
    },
    async close() {
      await server.close();
      await fresh.drop();
    },
  };
}
