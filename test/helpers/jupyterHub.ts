import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { service } from "../services/ensureServices";
import { freePort } from "./freePort";
import { waitUntil } from "./waitUntil";

/**
 * A real JupyterHub (installed by scripts/ensure-jupyterhub.sh, which scripts/test.sh runs and
 * exports as APIKEYS_TEST_JUPYTERHUB) on free loopback ports with a throwaway configuration: the
 * dummy authenticator, one user, and a service whose token may manage that user's tokens. The hub
 * starts its configurable-http-proxy; stopping the hub stops the proxy.
 */
export interface JupyterHub {
  /** The hub's REST API through the proxy, e.g. http://127.0.0.1:40123/hub/api. */
  readonly apiUrl: string;
  /** The service token that manages keys (what apikeys:token holds). */
  readonly adminToken: string;
  /** The user whose tokens the tests manage. */
  readonly user: string;
  /** A request to the hub's API as the service (or with another token). */
  api(method: string, path: string, options?: { body?: unknown; token?: string }): Promise<{ status: number; body: unknown }>;
  /** The user's tokens as the hub lists them (`GET /users/{user}/tokens`). */
  tokens(): Promise<{ id: string; note: string; scopes: string[] }[]>;
  /** Whether a secret authenticates: `GET /user` answers 200 with it. */
  authenticates(secret: string): Promise<boolean>;
  stop(): Promise<void>;
}

/** The installed hub's folder: APIKEYS_TEST_JUPYTERHUB, else installed now by scripts/ensure-jupyterhub.sh. */
export function jupyterHubFolder(): string {
  return service("APIKEYS_TEST_JUPYTERHUB");
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));
}

export async function startJupyterHub(options: { user?: string } = {}): Promise<JupyterHub> {
  const folder = jupyterHubFolder();
  const user = options.user ?? "alice";
  const adminToken = randomBytes(24).toString("hex");
  const dir = mkdtempSync(join(tmpdir(), "jupyterhub-"));
  const [port, hubPort, proxyApiPort] = [await freePort(), await freePort(), await freePort()];
  const py = (value: unknown) => JSON.stringify(value);
  writeFileSync(
    join(dir, "jupyterhub_config.py"),
    [
      `c.JupyterHub.ip = "127.0.0.1"`,
      `c.JupyterHub.port = ${port}`,
      `c.JupyterHub.hub_ip = "127.0.0.1"`,
      `c.JupyterHub.hub_port = ${hubPort}`,
      `c.ConfigurableHTTPProxy.api_url = ${py(`http://127.0.0.1:${proxyApiPort}`)}`,
      `c.ConfigurableHTTPProxy.command = [${py(join(folder, "node_modules", ".bin", "configurable-http-proxy"))}]`,
      `c.JupyterHub.authenticator_class = "dummy"`,
      `c.Authenticator.allowed_users = {${py(user)}}`,
      `c.JupyterHub.db_url = ${py(`sqlite:///${join(dir, "jupyterhub.sqlite")}`)}`,
      `c.JupyterHub.cookie_secret_file = ${py(join(dir, "cookie_secret"))}`,
      `c.JupyterHub.pid_file = ${py(join(dir, "jupyterhub.pid"))}`,
      `c.JupyterHub.services = [{"name": "pulumi-apikeys", "api_token": ${py(adminToken)}}]`,
      `c.JupyterHub.load_roles = [{"name": "key-manager", "scopes": ["tokens", "admin:users", "read:users"], "services": ["pulumi-apikeys"]}]`,
      "",
    ].join("\n"),
  );
  const child = spawn(join(folder, "bin", "jupyterhub"), ["-f", join(dir, "jupyterhub_config.py")], {
    cwd: dir,
    env: { PATH: `${join(folder, "bin")}:${process.env.PATH ?? ""}`, HOME: dir },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const apiUrl = `http://127.0.0.1:${port}/hub/api`;

  const api: JupyterHub["api"] = async (method, path, { body, token = adminToken } = {}) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `token ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: kept as text.
    }
    return { status: response.status, body: parsed };
  };
  const stop = async () => {
    child.kill("SIGTERM");
    await exited(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // First start on 2 busy cores: ~5 s measured, more under load.
    await waitUntil(
      `JupyterHub to answer at ${apiUrl} (its log: ${log})`,
      async () => {
        if (child.exitCode !== null) throw new Error(`JupyterHub exited with ${child.exitCode}: ${log}`);
        return (await api("GET", "/").catch(() => ({ status: 0 }))).status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    apiUrl,
    adminToken,
    user,
    api,
    async tokens() {
      const { body } = await api("GET", `/users/${user}/tokens`);
      const list = (body as { api_tokens?: { id: string; note: string; scopes: string[] }[] }).api_tokens ?? [];
      return list;
    },
    async authenticates(secret) {
      return (await api("GET", "/user", { token: secret })).status === 200;
    },
    stop,
  };
}
