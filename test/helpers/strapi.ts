import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { service } from "../services/ensureServices";
import { freePort } from "./freePort";
import { waitUntil } from "./waitUntil";

/**
 * A real Strapi v5 (installed by scripts/ensure-strapi.sh, which scripts/test.sh runs and exports as
 * APIKEYS_TEST_STRAPI) in a throwaway project: the files of test/servers/strapi/project copied into a
 * temporary folder, a SQLite file in it, a free loopback port, and secrets (app keys, JWT secret,
 * token salts, encryption key) made for this run. It runs `strapi start` as one node process (not
 * through npx, whose node child outlives it), with the admin API but no admin panel.
 *
 * Strapi's API tokens are managed by an administrator: the first one is registered on start, and
 * `adminJwt` is its login (Strapi's admin sessions last 30 minutes unless configured otherwise).
 */
export interface StrapiServer {
  /** The server's root, e.g. http://127.0.0.1:40123; the admin API is under /admin. */
  readonly url: string;
  /** The administrator's JWT (`POST /admin/login`): what the admin API's token routes take as a bearer. */
  readonly adminJwt: string;
  /** The node process running Strapi. */
  readonly pid: number;
  /** The temporary project folder (config, SQLite file); close removes it. */
  readonly dir: string;
  /** A request to the admin API (`/admin` + path) with the administrator's JWT, or with another token. */
  admin(method: string, path: string, options?: { body?: unknown; token?: string }): Promise<{ status: number; body: any }>;
  /**
   * The status of a content-API request made with `token`: `GET /api/upload/files`, which the upload
   * plugin (part of every Strapi) serves to read-only and full-access tokens, and to custom ones with
   * plugin::upload.content-api.find, with no content type of the project's own. 200 for a working
   * token, 401 for an unknown, regenerated or deleted one.
   */
  contentStatus(token: string): Promise<number>;
  /** Whether an API token works: contentStatus answers 200. */
  authenticates(token: string): Promise<boolean>;
  /** Stops the node process and removes the project folder. */
  close(): Promise<void>;
}

const template = resolve(__dirname, "../servers/strapi/project");

/** The installed Strapi's folder (its node_modules holds @strapi/strapi): APIKEYS_TEST_STRAPI, else installed now by scripts/ensure-strapi.sh. */
export function strapiFolder(): string {
  return service("APIKEYS_TEST_STRAPI");
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((done) => child.once("exit", () => done()));
}

const secret = () => randomBytes(16).toString("base64");

/** The first administrator the project registers; the password passes Strapi's rules (8+ characters, a capital, a digit). */
const administrator = { firstname: "Key", lastname: "Keeper", email: "keys@example.com", password: `Keys-${randomBytes(9).toString("hex")}1` };

/**
 * `encryptionKey: false` starts Strapi without admin.secrets.encryptionKey: it then keeps only a
 * hash of each token, and its read (`GET /admin/api-tokens/{id}`) no longer answers the secret
 * again. With one (the default, as a new Strapi project has), an administrator can read every
 * token's secret back.
 */
export async function startStrapi(options: { encryptionKey?: boolean } = {}): Promise<StrapiServer> {
  const folder = strapiFolder();
  const dir = mkdtempSync(join(tmpdir(), "apikeys-strapi-"));
  cpSync(template, dir, { recursive: true });
  mkdirSync(join(dir, "public", "uploads"), { recursive: true });
  // The project resolves @strapi/* from its own folder; the install is shared by every project.
  symlinkSync(join(folder, "node_modules"), join(dir, "node_modules"), "dir");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(folder, "node_modules", "@strapi", "strapi", "bin", "strapi.js"), "start"], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      NODE_ENV: "production",
      STRAPI_TELEMETRY_DISABLED: "true",
      STRAPI_DISABLE_UPDATE_NOTIFICATION: "true",
      HOST: "127.0.0.1",
      PORT: String(port),
      APP_KEYS: `${secret()},${secret()}`,
      ADMIN_JWT_SECRET: secret(),
      API_TOKEN_SALT: secret(),
      TRANSFER_TOKEN_SALT: secret(),
      ...(options.encryptionKey === false ? {} : { ENCRYPTION_KEY: secret() }),
      DATABASE_FILENAME: join(dir, ".tmp", "data.db"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.once("error", (error) => (log += `\ncould not start node: ${error.message}`));

  const request = async (path: string, init: { method: string; token?: string; body?: unknown }): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${url}${path}`, {
      method: init.method,
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: kept as text.
    }
    return { status: response.status, body };
  };
  const close = async () => {
    child.kill("SIGTERM");
    await exited(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Measured: 9 s to the first answer on 2 cores under load (its database migrations run on the first start).
    await waitUntil(
      `Strapi to answer at ${url}/_health`,
      async () => {
        if (child.exitCode !== null || child.pid === undefined) throw new Error(`Strapi exited with ${child.exitCode}: ${log}`);
        return (await request("/_health", { method: "GET" }).catch(() => ({ status: 0 }))).status === 204;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    const registered = await request("/admin/register-admin", { method: "POST", body: administrator });
    if (registered.status !== 200 && registered.status !== 201)
      throw new Error(`Strapi refused the first administrator: ${registered.status} ${JSON.stringify(registered.body)}`);
    const login = await request("/admin/login", { method: "POST", body: { email: administrator.email, password: administrator.password } });
    const adminJwt: unknown = login.body?.data?.token;
    if (login.status !== 200 || typeof adminJwt !== "string")
      throw new Error(`Strapi refused the administrator's login: ${login.status} ${JSON.stringify(login.body)}`);
    const contentStatus = async (token: string) => (await request("/api/upload/files", { method: "GET", token })).status;
    return {
      url,
      adminJwt,
      pid: child.pid ?? 0,
      dir,
      admin: (method, path, { body, token = adminJwt } = {}) => request(`/admin${path}`, { method, token, body }),
      contentStatus,
      authenticates: async (token) => (await contentStatus(token)) === 200,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
