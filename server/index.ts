import { defaultConsoleDir } from "./console/consoleRoutes";
import { createServer, type Server } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { messageOf } from "../shared/caught";
import { createServerApp } from "./app";
import { withFastWhoami } from "./http/fastWhoami";
import { openDatabase, type DatabaseKind } from "./db/open";
import { bootstrapSettings } from "./db/storedSettings";
import { knownSecretRedactor, redactLogLine } from "./http/logRedaction";
import { LogWriter } from "./http/logWriter";
import { ClientAddressResolver } from "./http/clientAddress";
import {
  DEFAULT_MAX_BODY_BYTES,
  EMPTY_PEPPER,
  isAddressOrRange,
  MIN_ROOT_TOKEN_LENGTH,
  SERVER_DEFAULTS,
  SERVER_SETTINGS,
  SettingsError,
  SHORT_ROOT_TOKEN,
  type SettingOptionName,
} from "./settings";
import { parseAlertKeys, type AlertKey } from "./leaks/alertKeys";
import { VerifyCache } from "./verify/verifyCache";

export { ApiError } from "./http/apiError";
export { hasValidChecksum } from "./ids";
export { SettingsError } from "./settings";
export { StoredSettingsError } from "./db/storedSettings";

export interface ServerOptions {
  /** `sqlite:<path>`, `sqlite::memory:` or `postgres://...`. */
  readonly databaseUrl: string;
  /** 0 (the default here, unlike the command's 8787) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly rootToken?: string;
  readonly pepper?: string;
  readonly log?: (line: Record<string, unknown>) => void;
  readonly rateLimitPerSecond?: number;
  readonly verifyRateLimitPerSecond?: number;
  readonly failedVerifyRateLimitPerSecond?: number;
  readonly maxBodyBytes?: number;
  /** How long a verified secret is served from memory; 0 turns the cache off. */
  readonly verifyCacheMs?: number;
  readonly now?: () => Date;
  /** Listening on anything but loopback sends keys and tokens over the network: refuse unless told. */
  readonly allowNonLoopback?: boolean;
  /**
   * Addresses or CIDR ranges of the proxies in front of the server. Only a request whose socket peer
   * is one of them has its client address taken from `clientIpHeader`; by default none is trusted.
   */
  readonly trustedProxies?: readonly string[];
  /** The header trusted proxies put the client address in (default x-forwarded-for). */
  readonly clientIpHeader?: string;
  /** The built web console (default: dist/console next to the server). */
  readonly consoleDir?: string;
  /** The public keys that sign secret-scanning alerts: the JSON GitHub publishes. Unset: alerts answer 503. */
  readonly leakAlertKeys?: string;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly databaseKind: DatabaseKind;
  /** Set only when this start generated the root token (first start, no APIKEYS_ROOT_TOKEN). */
  readonly generatedRootToken?: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? SERVER_DEFAULTS.APIKEYS_HOST;
  if (!LOOPBACK.has(host) && !options.allowNonLoopback) {
    throw new Error(`refusing to listen on ${host} without TLS: put a TLS proxy in front and pass --allow-non-loopback (APIKEYS_ALLOW_NON_LOOPBACK=1)`);
  }
  validateOptions(options);
  const alertKeys = leakAlertKeysOf(options.leakAlertKeys);
  const database = await openDatabase(options.databaseUrl);
  let settings: Awaited<ReturnType<typeof bootstrapSettings>>;
  try {
    settings = await bootstrapSettings(database.db, { pepper: options.pepper, rootToken: options.rootToken });
  } catch (error) {
    await database.close();
    throw error;
  }
  // No log function given: lines go to stdout through a writer that is flushed and closed with the server.
  const { writeLog, logWriter } = options.log ? { writeLog: options.log, logWriter: undefined } : stdoutLog();
  const clientAddress = new ClientAddressResolver(
    options.trustedProxies ?? SERVER_DEFAULTS.APIKEYS_TRUSTED_PROXIES,
    options.clientIpHeader ?? SERVER_DEFAULTS.APIKEYS_CLIENT_IP_HEADER,
  );
  // The app redacts anything shaped like our secrets; an operator's root token can have any shape,
  // so its value is taken out of every line the app logs as well.
  const redactRootToken = knownSecretRedactor([options.rootToken, settings.generatedRootToken]);
  const appLog = (line: Record<string, unknown>) => writeLog(redactRootToken(line));
  for (const warning of settings.warnings) appLog({ time: new Date().toISOString(), level: "warn", message: warning });
  const { app, verifier, log } = createServerApp({
    context: {
      db: database.db,
      databaseKind: database.kind,
      pepper: settings.pepper,
      now: options.now ?? (() => new Date()),
      verifyCache: new VerifyCache(options.verifyCacheMs ?? SERVER_DEFAULTS.APIKEYS_VERIFY_CACHE_MS),
      queries: database.queries,
      log: (line) => appLog(redactLogLine(line)),
    },
    rootTokenHash: settings.rootTokenHash,
    consoleDir: options.consoleDir ?? defaultConsoleDir(__dirname),
    log: appLog,
    rateLimitPerSecond: options.rateLimitPerSecond ?? SERVER_DEFAULTS.APIKEYS_RATE_LIMIT,
    verifyRateLimitPerSecond: options.verifyRateLimitPerSecond ?? SERVER_DEFAULTS.APIKEYS_VERIFY_RATE_LIMIT,
    failedVerifyRateLimitPerSecond: options.failedVerifyRateLimitPerSecond ?? SERVER_DEFAULTS.APIKEYS_FAILED_VERIFY_RATE_LIMIT,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    clientAddress,
    alertKeys,
  });
  const listener = withFastWhoami(getRequestListener(app.fetch), { verifier, clientAddress, log, logRequest: writeLog });
  const server = await new Promise<Server>((resolve, reject) => {
    // The listener answers every request itself, failures included; Node does not await it.
    const s = createServer((request, response) => void listener(request, response));
    s.once("error", reject);
    s.listen(options.port ?? 0, host, () => resolve(s));
  });
  // A server listening on a TCP port has an address object; a string is a pipe or socket path, null a closed server.
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error(`the server is not listening on a TCP port (address: ${address})`);
  const port = address.port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    databaseKind: database.kind,
    generatedRootToken: settings.generatedRootToken,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      logWriter?.close();
      await database.close();
    },
  };
}

/** The request log on standard output, in batches (http/logWriter.ts). */
function stdoutLog(): { writeLog: (line: Record<string, unknown>) => void; logWriter: LogWriter } {
  const logWriter = new LogWriter();
  return { writeLog: (line) => logWriter.write(line), logWriter };
}

function leakAlertKeysOf(json: string | undefined): AlertKey[] {
  if (json === undefined) return [];
  try {
    return parseAlertKeys(json);
  } catch (error) {
    throw new SettingsError("leakAlertKeys", messageOf(error));
  }
}

/** Why a number given as an option cannot be used, or nothing. */
function nonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new SettingsError(name, `must be a non-negative number, got ${value}`);
}

type OptionCheck<Option extends SettingOptionName> = ((value: NonNullable<ServerOptions[Option]>) => void) | undefined;

/**
 * The same rules the command's settings schema applies, for servers started from code: one entry per
 * option a setting sets (a new row of SERVER_SETTINGS does not compile without one). Undefined: the
 * option needs no check, or startServer makes it itself (host: loopback; leakAlertKeys: parsed).
 * Numbers may be fractions here (a rate of 0.5 per second), unlike the command's whole numbers.
 */
const OPTION_CHECKS: { readonly [Option in SettingOptionName]: OptionCheck<Option> } = {
  port: (value) => nonNegative("port", value),
  host: undefined,
  databaseUrl: undefined,
  allowNonLoopback: undefined,
  rootToken: (value) => {
    if (value.length < MIN_ROOT_TOKEN_LENGTH) throw new SettingsError("APIKEYS_ROOT_TOKEN", SHORT_ROOT_TOKEN);
  },
  // Its length is checked against the database (storedSettings.ts): a database already hashed with a
  // short pepper must keep starting. An empty one was never a pepper.
  pepper: (value) => {
    if (value === "") throw new SettingsError("APIKEYS_PEPPER", EMPTY_PEPPER);
  },
  rateLimitPerSecond: (value) => nonNegative("rateLimitPerSecond", value),
  verifyRateLimitPerSecond: (value) => nonNegative("verifyRateLimitPerSecond", value),
  failedVerifyRateLimitPerSecond: (value) => nonNegative("failedVerifyRateLimitPerSecond", value),
  verifyCacheMs: (value) => nonNegative("verifyCacheMs", value),
  trustedProxies: (value) => {
    const bad = value.find((entry) => !isAddressOrRange(entry));
    if (bad !== undefined) throw new SettingsError("trustedProxies", `"${bad}" is not an address or CIDR range, for example 10.0.0.0/8`);
  },
  clientIpHeader: undefined,
  leakAlertKeys: undefined,
};

function checkOption<Option extends SettingOptionName>(options: ServerOptions, option: Option): void {
  const value = options[option];
  const check: OptionCheck<Option> = OPTION_CHECKS[option];
  if (value !== undefined && check) check(value);
}

function validateOptions(options: ServerOptions): void {
  for (const row of Object.values(SERVER_SETTINGS)) checkOption(options, row.option);
  if (options.maxBodyBytes !== undefined) nonNegative("maxBodyBytes", options.maxBodyBytes);
}
