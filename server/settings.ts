import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { z } from "zod";
import { errorCodeOf, messageOf } from "../shared/caught";
import { parseAlertKeys } from "./leaks/alertKeys";
import type { CREDENTIAL_VARIABLES } from "../shared/scrubEnvironment";
import type { Equal, Expect } from "../shared/typeEquality";
import type { ServerOptions } from "./index";

/**
 * `DATABASE_URL=@/run/secrets/database-url` (or `--database-url @file`): the URL, password included,
 * from a file, so it is on no command line. Surrounding whitespace (the file's last line break) is
 * dropped. A file that cannot be read stops the start naming the setting (and never shows the file).
 */
const databaseUrlFromFile = (value: string, ctx: z.RefinementCtx): string => {
  if (!value.startsWith("@")) return value;
  const path = value.slice(1);
  try {
    return readFileSync(path, "utf8").trim();
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message: `cannot read ${path} (${errorCodeOf(error) ?? "error"}); name a file that holds the URL, e.g. @/run/secrets/database-url`,
    });
    return z.NEVER;
  }
};

/** A settings file the operator names with `@path`; its absence is a setting error, not a crash. */
function readTextFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    return `(cannot read ${path}: ${errorCodeOf(error) ?? "error"})`;
  }
}

/**
 * A setting the server cannot use, named by its flag and variable (or, started from code, its
 * option), with what is wrong and an example. Thrown before the server listens (the command exits
 * 1): a limit of `200/s` used to start and then answer 429 to everything.
 */
export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${problem}`, options);
    this.name = "SettingsError";
  }
}

/** `APIKEYS_PEPPER=''` is a mistake (an unset variable interpolated, a template left empty), never a choice. */
export const EMPTY_PEPPER =
  "is set but empty; unset it to let the server generate a pepper and keep it in the database, or set it to at least 32 characters (`openssl rand -base64 32`)";

/** Root tokens are compared by hash; a short one is guessable, so the server refuses it. */
export const MIN_ROOT_TOKEN_LENGTH = 32;
export const SHORT_ROOT_TOKEN = `must be at least ${MIN_ROOT_TOKEN_LENGTH} characters; generate one with \`openssl rand -base64 32\`, or leave it unset and the server generates one at first start`;

const wholeNumber = (example: string, what: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number of ${what}, for example ${example}`)
    .transform(Number)
    .refine((n) => n <= max, `must be at most ${max}`);

const rate = (example: string) => wholeNumber(example, "requests per second (0 turns the limit off)");

/** One address or CIDR range, IPv4 or IPv6: `10.0.0.0/8`, `127.0.0.1`, `fd00::/8`. */
export function isAddressOrRange(entry: string): boolean {
  const [address, bits, ...rest] = entry.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const trustedProxies = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((entries) => entries.every(isAddressOrRange), {
    message: "must be a comma-separated list of addresses or CIDR ranges, for example 127.0.0.1,10.0.0.0/8",
  });

/** The default of APIKEYS_TRUSTED_PROXIES: none (a string list, not the `never[]` an empty literal would be). */
const NO_TRUSTED_PROXIES: string[] = [];

const flag = z.enum(["", "0", "1", "true", "false"], { error: 'must be 1 or 0 (or "true" / "false")' }).transform((v) => v === "1" || v === "true");

/**
 * One row per setting of the server command: its variable (the key), the flag that sets it too (a
 * flag wins over its variable), its schema, its default and its words in `--help`. The schema, the
 * help text and the defaults of servers started from code (`startServer`) are all made from it.
 */
export interface SettingRow<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  /** The option of `startServer` (ServerOptions) it sets, for servers started from code too. */
  readonly option: SettingOptionName;
  /** The command-line flag, and the placeholder of its value in `--help` (none: a switch, `--flag` means 1). */
  readonly flag?: { readonly name: string; readonly value?: string };
  /** Used when neither the flag nor the variable is set. */
  readonly default?: z.output<S>;
  /** What the setting is, for `--help`. */
  readonly help: string;
  /** What a value of 0 or an unset setting without default means, and other remarks, for `--help`. */
  readonly note?: string;
  /** A credential: an error names it but never echoes its value (and the CLI removes it from its environment). */
  readonly secret?: true;
  /** Too long to echo back usefully in an error. */
  readonly long?: true;
  /** An empty variable is refused rather than read as unset: an empty one is never meant. */
  readonly emptyIsAnError?: true;
}

/** The options of `startServer` that no setting of the command sets: they exist for code only. */
export type CodeOnlyOption = "log" | "now" | "consoleDir" | "maxBodyBytes";
/** The options of `startServer` a setting sets. */
export type SettingOptionName = Exclude<keyof ServerOptions, CodeOnlyOption>;

/** The largest request body the server reads (ServerOptions.maxBodyBytes unless set): the API's bodies are small. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export const SERVER_SETTINGS = {
  APIKEYS_PORT: {
    option: "port",
    schema: wholeNumber("8787", "a TCP port (0 picks a free one)", 65535),
    flag: { name: "--port", value: "N" },
    default: 8787,
    help: "the TCP port",
    note: "0 picks a free port",
  },
  APIKEYS_HOST: {
    option: "host",
    schema: z.string().min(1, "must not be empty; for example 127.0.0.1"),
    flag: { name: "--host", value: "H" },
    default: "127.0.0.1",
    help: "the address to listen on",
  },
  DATABASE_URL: {
    option: "databaseUrl",
    secret: true,
    schema: z
      .string()
      .transform(databaseUrlFromFile)
      .refine((url) => /^(sqlite:.+|postgres(ql)?:\/\/.+)/.test(url), "must start with sqlite: or postgres://, for example sqlite:./.apikeys/apikeys.db"),
    flag: { name: "--database-url", value: "URL" },
    default: "sqlite:./.apikeys/apikeys.db",
    help: "sqlite:<path> or postgres://...; @/path reads the URL from a file",
    note: "a URL with a password is refused as a flag (ps shows command lines): use DATABASE_URL or @/path",
  },
  APIKEYS_ALLOW_NON_LOOPBACK: {
    option: "allowNonLoopback",
    schema: flag,
    flag: { name: "--allow-non-loopback" },
    default: false,
    help: "listen beyond loopback (behind a TLS proxy only)",
  },
  APIKEYS_ROOT_TOKEN: {
    option: "rootToken",
    secret: true,
    schema: z
      .string()
      .refine((t) => !/\s/.test(t), "must not contain spaces or line breaks")
      .refine((t) => t.length >= MIN_ROOT_TOKEN_LENGTH, { message: SHORT_ROOT_TOKEN }),
    help: `the bootstrap root token, at least ${MIN_ROOT_TOKEN_LENGTH} characters`,
    note: "unset: generated and printed once",
  },
  // Its length is checked at start against the database (a database hashed with a short pepper keeps it).
  APIKEYS_PEPPER: {
    option: "pepper",
    secret: true,
    emptyIsAnError: true,
    schema: z.string().min(1, EMPTY_PEPPER),
    help: "the key for hashing secrets, at least 32 characters, fixed for the database's life",
    note: "unset: generated and kept in the database",
  },
  APIKEYS_RATE_LIMIT: {
    option: "rateLimitPerSecond",
    schema: rate("200"),
    default: 200,
    help: "admin requests per second per token (burst: twice that)",
    note: "0: off",
  },
  APIKEYS_VERIFY_RATE_LIMIT: {
    option: "verifyRateLimitPerSecond",
    schema: rate("2000"),
    default: 2000,
    help: "verifications per second per client address before its refused ones answer 429",
    note: "0: off",
  },
  APIKEYS_FAILED_VERIFY_RATE_LIMIT: {
    option: "failedVerifyRateLimitPerSecond",
    schema: rate("10"),
    default: 10,
    help: "refused verifications and admin sign-ins per second per client address and per key prefix (burst: 5 times that)",
    note: "0: off",
  },
  APIKEYS_VERIFY_CACHE_MS: {
    option: "verifyCacheMs",
    schema: wholeNumber("5000", "milliseconds (0 turns the cache off)", 3_600_000),
    default: 5000,
    help: "how long a verified key is served from memory, in milliseconds",
    note: "0: off",
  },
  APIKEYS_TRUSTED_PROXIES: {
    option: "trustedProxies",
    schema: trustedProxies,
    default: NO_TRUSTED_PROXIES,
    help: "addresses or CIDR ranges of your proxies, e.g. 10.0.0.0/8; only their forwarded header is believed",
  },
  APIKEYS_CLIENT_IP_HEADER: {
    option: "clientIpHeader",
    schema: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, "must be a header name, for example x-forwarded-for")
      .transform((h) => h.toLowerCase()),
    default: "x-forwarded-for",
    help: "the header those proxies set (or x-real-ip, cf-connecting-ip, ...)",
  },
  APIKEYS_LEAK_ALERT_KEYS: {
    option: "leakAlertKeys",
    long: true,
    schema: z
      .string()
      .transform((value) => (value.startsWith("@") ? readTextFile(value.slice(1)) : value))
      .superRefine((json, ctx) => {
        try {
          parseAlertKeys(json);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: messageOf(error) });
        }
      }),
    help: "the public keys that sign secret-scanning alerts (GitHub's JSON, or @file.json)",
    note: "unset: alerts answer 503",
  },
} satisfies Record<string, SettingRow>;

/** The same rows, by any name: for the code that walks them all (the table satisfies this type). */
const SETTING_ROWS: Readonly<Record<string, SettingRow>> = SERVER_SETTINGS;

type Rows = typeof SERVER_SETTINGS;
type SettingName = keyof Rows;
type ShapeOf<T extends Record<string, SettingRow>> = {
  [K in keyof T]: T[K] extends { default: unknown } ? z.ZodDefault<T[K]["schema"]> : z.ZodOptional<T[K]["schema"]>;
};

function shapeOf<T extends Record<string, SettingRow>>(rows: T): ShapeOf<T> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, row] of Object.entries(rows)) {
    shape[name] = row.default === undefined ? row.schema.optional() : row.schema.default(row.default);
  }
  // Cast: TypeScript cannot type an object built key by key (Object.entries gives string keys) as a
  // mapped type; the loop makes exactly ShapeOf<T>, one entry per row.
  return shape as ShapeOf<T>;
}

/** The raw settings, by the name a user sets them under (a flag wins over its variable). */
const serverSettingsSchema = z.object(shapeOf(SERVER_SETTINGS));

/**
 * The defaults, by setting: what the command and `startServer` use when nothing is set. Cast:
 * Object.fromEntries cannot carry the key-by-key types of a mapped type (as in shapeOf).
 */
export const SERVER_DEFAULTS = Object.fromEntries(
  Object.entries(SERVER_SETTINGS).flatMap(([name, row]) => ("default" in row ? [[name, row.default]] : [])),
) as { readonly [K in SettingName as Rows[K] extends { default: unknown } ? K : never]: Rows[K] extends { default: infer D } ? D : never };

export type ServerSettings = z.output<typeof serverSettingsSchema>;

/** `startServer`'s options from parsed settings: each setting's value under the option its row names. */
type OptionsFromSettings = { [K in SettingName as Rows[K]["option"]]: ServerSettings[K] };

export function serverOptionsFrom(settings: ServerSettings): OptionsFromSettings {
  // Cast: as in shapeOf, an object built entry by entry cannot carry a mapped type; each parsed
  // setting goes under its row's option, which is exactly OptionsFromSettings.
  return Object.fromEntries(
    Object.entries(settings).flatMap(([name, value]) => {
      const row: SettingRow | undefined = SETTING_ROWS[name];
      return row ? [[row.option, value]] : [];
    }),
  ) as OptionsFromSettings;
}

/**
 * Compile-time checks, no code: a setting of the command and an option of `startServer` are one row.
 * A new option of ServerOptions needs a row (or a place in CodeOnlyOption); a new row names its
 * option, whose type must take the parsed value.
 */
export type ServerSettingChecks = [
  Expect<Equal<Rows[SettingName]["option"], SettingOptionName>>,
  Expect<OptionsFromSettings extends ServerOptions ? true : false>,
  // The credentials the CLI removes from its environment are the secret rows (and the provider's token).
  Expect<Equal<SecretSetting, Exclude<(typeof CREDENTIAL_VARIABLES)[number], "APIKEYS_TOKEN">>>,
];
type SecretSetting = { [K in SettingName]: Rows[K] extends { secret: true } ? K : never }[SettingName];

/**
 * Whether a database URL carries a password, in its user part (`user:password@`) or as a
 * `password=` parameter (the pg driver reads both). Decided on the text too, so a URL that does not
 * parse is judged the same way.
 */
function databaseUrlHasPassword(url: string): boolean {
  // `user:secret@` before the first slash; a `#` or `?` a user forgot to encode still counts.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]+@/i.test(url) || /[?&]password=[^&]/i.test(url)) return true;
  try {
    const parsed = new URL(url);
    return parsed.password !== "" || Boolean(parsed.searchParams.get("password"));
  } catch {
    return false;
  }
}

/**
 * A command line is readable by every user of the machine (`ps`, /proc/<pid>/cmdline) and is copied
 * into Node's diagnostic reports; the environment is readable only by the same user, and the CLI
 * removes its credential variables from it at start. So a password is refused as a flag only.
 */
const PASSWORD_ON_COMMAND_LINE =
  "this URL holds a password, and a command line is visible to every user of the machine (ps) and recorded in diagnostic reports; " +
  "set the DATABASE_URL environment variable instead, or put the URL in a file only the server can read and pass --database-url @/path/to/file. " +
  "A URL without a password (postgres://user@host/db, sqlite:...) may stay on the command line";

/**
 * Reads the settings from flags (already mapped to their variable names) over the environment.
 * An empty variable counts as unset (except APIKEYS_PEPPER, where it is refused); an empty flag
 * (`--port ''`) is a mistake and is refused.
 */
export function parseServerSettings(env: Record<string, string | undefined>, flags: Record<string, string | undefined> = {}): ServerSettings {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(serverSettingsSchema.shape)) {
    const fromFlag = flags[name];
    const fromEnv = env[name];
    if (fromFlag !== undefined) raw[name] = fromFlag === "" && name === "APIKEYS_PORT" ? "(empty)" : fromFlag;
    else if (fromEnv !== undefined && (fromEnv !== "" || SETTING_ROWS[name]?.emptyIsAnError)) raw[name] = fromEnv;
  }
  const flagUrl = flags.DATABASE_URL;
  if (flagUrl !== undefined && !flagUrl.startsWith("@") && databaseUrlHasPassword(flagUrl)) {
    throw new SettingsError("--database-url", PASSWORD_ON_COMMAND_LINE);
  }
  const result = serverSettingsSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue.path[0]);
    const row: SettingRow | undefined = SETTING_ROWS[name];
    const shown = row?.secret || row?.long ? "" : ` (got "${raw[name]}")`;
    throw new SettingsError(describeSetting(name), `${issue.message}${shown}`);
  }
  const settings = result.data;
  // Judged on what was set: the header has a default, which is harmless without proxies.
  if (raw.APIKEYS_CLIENT_IP_HEADER !== undefined && settings.APIKEYS_TRUSTED_PROXIES.length === 0) {
    throw new SettingsError(
      "APIKEYS_CLIENT_IP_HEADER",
      "is only believed from a trusted proxy; set APIKEYS_TRUSTED_PROXIES to your proxy's addresses too (for example 10.0.0.5), or unset it",
    );
  }
  return settings;
}

function describeSetting(name: string): string {
  const row: SettingRow | undefined = SETTING_ROWS[name];
  return row?.flag ? `${row.flag.name} / ${name}` : name;
}

/** The flags of the command, for `node:util` `parseArgs` (a switch is a boolean, the others take a value). */
export function settingFlags(): Record<string, { type: "string" | "boolean" }> {
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const row of Object.values(SETTING_ROWS)) {
    if (row.flag) options[row.flag.name.slice(2)] = { type: row.flag.value ? "string" : "boolean" };
  }
  return options;
}

/** The values `parseArgs` read, by the variable each flag stands for (a switch given is "1"). */
export function flagValues(values: Record<string, string | boolean | undefined>): Record<string, string | undefined> {
  const flags: Record<string, string | undefined> = {};
  for (const [name, row] of Object.entries(SETTING_ROWS)) {
    if (!row.flag) continue;
    const value = values[row.flag.name.slice(2)];
    flags[name] = value === true ? "1" : value === false ? undefined : value;
  }
  return flags;
}

function defaultText(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.join(",");
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

/** The settings part of `apikeys-server --help`, one entry per row of SERVER_SETTINGS. */
export function settingsHelp(): string {
  const lines: string[] = [];
  for (const [name, row] of Object.entries(SETTING_ROWS)) {
    const remarks = [...(row.default === undefined ? [] : [`default ${defaultText(row.default)}`]), ...(row.note ? [row.note] : [])];
    const head = row.flag
      ? `${`  ${row.flag.name}${row.flag.value ? ` ${row.flag.value}` : ""}`.padEnd(24)} ${name}${row.flag.value ? "" : "=1"}`
      : `  ${name}`;
    lines.push(head, ...[row.help, ...(remarks.length > 0 ? [remarks.join("; ")] : [])].map((line) => `${" ".repeat(25)}${line}`));
  }
  return `${lines.join("\n")}\n`;
}
