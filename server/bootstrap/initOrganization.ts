import { parseArgs } from "node:util";
import { z } from "zod";
import { errorCodeOf, messageOf } from "../../shared/caught";
import { parseServerSettings, SettingsError } from "../settings";

/**
 * `apikeys-server init-org --name acme`: the first step on one's own key server. It asks a running
 * server (`POST /v1/organizations`, the root token's one call) for an organization and its first
 * admin token, and prints the three `pulumi config set` lines a stack needs. Through the API, not
 * the database: the same validation, audit entry and hashing as every other organization, and it
 * works against a server whose database is out of reach (a replica set, a managed PostgreSQL).
 */
const INIT_ORG_USAGE = `apikeys-server init-org --name NAME [--url URL]

Creates an organization on a running apikeys-server and its first admin token (scope manage), and
prints the \`pulumi config set\` lines of a stack that uses it (run them in the Pulumi project's
directory). The token is printed once, in the last line, on standard output only.

  --name NAME   the organization's name, e.g. acme
  --url URL     the server as your stacks reach it (e.g. https://keys.example.com behind your TLS
                proxy); default http://APIKEYS_HOST:APIKEYS_PORT, the server's own settings
  APIKEYS_ROOT_TOKEN   the root token (the environment only: a command line is visible to every user)
`;

/** Why the command stopped: its message names the flag or setting and the fix, and never a token. */
export class InitOrganizationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InitOrganizationError";
  }
}

/** The parts of the `POST /v1/organizations` answer this command reads. */
function createdOrganizationSchema() {
  return z.object({ id: z.string().min(1), name: z.string(), token: z.string().min(1), tokenId: z.string() });
}

function apiErrorSchema() {
  return z.object({ error: z.object({ code: z.string().optional(), message: z.string(), field: z.string().optional() }) });
}

export interface CreatedOrganization {
  readonly endpoint: string;
  readonly organizationId: string;
  readonly name: string;
  readonly tokenId: string;
  /** The first admin token's secret: only ever printed inside the `pulumi config set --secret` line. */
  readonly token: string;
}

/** A value as one shell word: as it is when it is plainly safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The lines a stack needs, in the order the README gives them; the token only in the last. */
function pulumiConfigLines(created: CreatedOrganization): string[] {
  return [
    `pulumi config set apikeys:endpoint ${shellWord(created.endpoint)}`,
    `pulumi config set apikeys:organizationId ${shellWord(created.organizationId)}`,
    `pulumi config set --secret apikeys:token ${shellWord(created.token)}`,
  ];
}

/** The server's address from its own settings: where `apikeys-server` with the same variables listens. */
function defaultServerUrl(env: Record<string, string | undefined>): string {
  const settings = parseServerSettings({ APIKEYS_HOST: env.APIKEYS_HOST, APIKEYS_PORT: env.APIKEYS_PORT });
  if (settings.APIKEYS_PORT === 0) {
    throw new InitOrganizationError(
      "--url: APIKEYS_PORT is 0 (a free port picked at start); pass --url with the address the server printed, e.g. --url http://127.0.0.1:8787",
    );
  }
  const host = settings.APIKEYS_HOST.includes(":") ? `[${settings.APIKEYS_HOST}]` : settings.APIKEYS_HOST;
  return `http://${host}:${settings.APIKEYS_PORT}`;
}

function endpointOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InitOrganizationError(`--url: "${url}" is not a URL; give the server's address, e.g. --url http://127.0.0.1:8787`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new InitOrganizationError(`--url: must start with http:// or https:// (got "${url}")`);
  if (parsed.username || parsed.password) throw new InitOrganizationError("--url: must not hold a user or password; the root token goes in APIKEYS_ROOT_TOKEN");
  // The endpoint a stack is configured with: no trailing slash, so `${endpoint}/v1/...` is one slash.
  return parsed.toString().replace(/\/+$/, "");
}

/** The root token from the environment, checked by the server's own rule; a missing one says where it comes from. */
function rootTokenFrom(env: Record<string, string | undefined>): string {
  const rootToken = env.APIKEYS_ROOT_TOKEN;
  if (rootToken === undefined || rootToken === "") {
    throw new InitOrganizationError(
      "APIKEYS_ROOT_TOKEN is not set: set it to the root token the server printed at its first start (or the one it was started with). " +
        "It is read from the environment only, never from a flag: a command line is visible to every user of the machine",
    );
  }
  const checked = parseServerSettings({ APIKEYS_ROOT_TOKEN: rootToken }).APIKEYS_ROOT_TOKEN;
  return checked ?? rootToken;
}

/** What a refused answer means for the person running the command. */
function refusal(status: number, body: unknown, endpoint: string): InitOrganizationError {
  const parsed = apiErrorSchema().safeParse(body);
  const said = parsed.success ? parsed.data.error.message : `HTTP ${status}`;
  // The server's own 401 words are about organization tokens; this command sends the root token only.
  if (status === 401) {
    return new InitOrganizationError(
      `${endpoint} refused the root token (401). Check that APIKEYS_ROOT_TOKEN holds this server's root token (the one it printed at its first start, or the one it runs with), copied whole`,
    );
  }
  if (status === 400 && parsed.success && parsed.data.error.field === "name") return new InitOrganizationError(`--name: ${said.replace(/^name: /, "")}`);
  return new InitOrganizationError(`${endpoint} answered ${status} to POST /v1/organizations: ${said}`);
}

/** Creates the organization through the running server's admin API. */
export async function initOrganization(options: { readonly name: string; readonly url: string; readonly rootToken: string }): Promise<CreatedOrganization> {
  const endpoint = endpointOf(options.url);
  let response: Response;
  try {
    response = await fetch(`${endpoint}/v1/organizations`, {
      method: "POST",
      headers: { authorization: `Bearer ${options.rootToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name: options.name }),
      redirect: "error",
    });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND) is its cause's code.
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    const code = errorCodeOf(cause) ?? messageOf(cause);
    throw new InitOrganizationError(`cannot reach ${endpoint} (${code}): start the server first (\`npx apikeys-server\`), or pass --url with its address`, {
      cause: error,
    });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.status !== 201) throw refusal(response.status, body, endpoint);
  const created = createdOrganizationSchema().safeParse(body);
  if (!created.success) throw new InitOrganizationError(`${endpoint} answered 201 without an organization id and token: is it an apikeys-server?`);
  return { endpoint, organizationId: created.data.id, name: created.data.name, tokenId: created.data.tokenId, token: created.data.token };
}

export interface CommandOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/**
 * The subcommand: `args` after `init-org`, `env` the environment the CLI took its credentials from.
 * Returns the exit code. Standard output gets the three config lines only (so `| sh` works);
 * everything said to a person goes to standard error, which never holds the token.
 */
export async function initOrganizationCommand(args: string[], env: Record<string, string | undefined>, out: CommandOutput): Promise<number> {
  try {
    const { values } = parseArgs({ args, options: { name: { type: "string" }, url: { type: "string" }, help: { type: "boolean" } }, strict: true });
    if (values.help) {
      out.stdout(INIT_ORG_USAGE);
      return 0;
    }
    const name = values.name?.trim();
    if (!name) throw new InitOrganizationError("--name: the organization's name is required, e.g. apikeys-server init-org --name acme");
    const rootToken = rootTokenFrom(env);
    const created = await initOrganization({ name, url: values.url ?? defaultServerUrl(env), rootToken });
    out.stderr(
      `Created organization "${created.name}" (${created.organizationId}) on ${created.endpoint}, with its first admin token ${created.tokenId} (scope manage).\n` +
        "Run these lines in your Pulumi project's directory, its stack selected (pulumi stack init/select); the token is shown only here, in the last one:\n",
    );
    out.stdout(`${pulumiConfigLines(created).join("\n")}\n`);
    return 0;
  } catch (error) {
    const known = error instanceof InitOrganizationError || error instanceof SettingsError;
    // parseArgs's own errors (an unknown flag, a flag without its value) are the user's too.
    const message = known
      ? messageOf(error)
      : errorCodeOf(error)?.startsWith("ERR_PARSE_ARGS")
        ? `${messageOf(error)}; see apikeys-server init-org --help`
        : `unexpected error: ${messageOf(error)}`;
    out.stderr(`apikeys-server init-org: ${message}\n`);
    return 1;
  }
}
