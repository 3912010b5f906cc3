import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { z } from "zod";
import { parseAlertKeys } from "./leaks/alertKeys";

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
      message: `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"}); name a file that holds the URL, e.g. @/run/secrets/database-url`,
    });
    return z.NEVER;
  }
};

/** A settings file the operator names with `@path`; its absence is a setting error, not a crash. */
function readTextFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    return `(cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"})`;
  }
}

/**
 * Every setting the server command reads, parsed once at start-up by one schema. A bad value stops
 * the server before it listens (exit 1) with the setting's name, what is wrong and an example:
 * a limit of `200/s` used to start and then answer 429 to everything.
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

const flag = z.enum(["", "0", "1", "true", "false"], { error: 'must be 1 or 0 (or "true" / "false")' }).transform((v) => v === "1" || v === "true");

/** The raw settings, by the name a user sets them under (a flag wins over its variable). */
export const serverSettingsSchema = z.object({
  APIKEYS_PORT: wholeNumber("8787", "a TCP port (0 picks a free one)", 65535).default(8787),
  APIKEYS_HOST: z.string().min(1, "must not be empty; for example 127.0.0.1").default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .transform(databaseUrlFromFile)
    .refine((url) => /^(sqlite:.+|postgres(ql)?:\/\/.+)/.test(url), "must start with sqlite: or postgres://, for example sqlite:./.apikeys/apikeys.db")
    .default("sqlite:./.apikeys/apikeys.db"),
  APIKEYS_ALLOW_NON_LOOPBACK: flag.default(false),
  APIKEYS_ROOT_TOKEN: z
    .string()
    .refine((t) => !/\s/.test(t), "must not contain spaces or line breaks")
    .refine((t) => t.length >= MIN_ROOT_TOKEN_LENGTH, { message: SHORT_ROOT_TOKEN })
    .optional(),
  // Its length is checked at start against the database (a database hashed with a short pepper keeps it).
  APIKEYS_PEPPER: z.string().min(1, EMPTY_PEPPER).optional(),
  APIKEYS_RATE_LIMIT: rate("200").default(200),
  APIKEYS_VERIFY_RATE_LIMIT: rate("2000").default(2000),
  APIKEYS_FAILED_VERIFY_RATE_LIMIT: rate("10").default(10),
  APIKEYS_VERIFY_CACHE_MS: wholeNumber("5000", "milliseconds (0 turns the cache off)", 3_600_000).default(5000),
  APIKEYS_TRUSTED_PROXIES: trustedProxies.default([]),
  APIKEYS_LEAK_ALERT_KEYS: z
    .string()
    .transform((value) => (value.startsWith("@") ? readTextFile(value.slice(1)) : value))
    .superRefine((json, ctx) => {
      try {
        parseAlertKeys(json);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
      }
    })
    .optional(),
  APIKEYS_CLIENT_IP_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, "must be a header name, for example x-forwarded-for")
    .transform((h) => h.toLowerCase())
    .optional(),
});

export type ServerSettings = z.output<typeof serverSettingsSchema>;

/** Settings whose value is a credential: an error names them but never echoes their value. */
const SECRET_SETTINGS = new Set(["APIKEYS_ROOT_TOKEN", "APIKEYS_PEPPER", "DATABASE_URL"]);
/** Settings too long to echo back usefully. */
const LONG_SETTINGS = new Set(["APIKEYS_LEAK_ALERT_KEYS"]);

/** Variables whose empty value is refused rather than read as unset: an empty one is never meant. */
const EMPTY_IS_AN_ERROR = new Set(["APIKEYS_PEPPER"]);

/**
 * Whether a database URL carries a password, in its user part (`user:password@`) or as a
 * `password=` parameter (the pg driver reads both). Decided on the text too, so a URL that does not
 * parse is judged the same way.
 */
export function databaseUrlHasPassword(url: string): boolean {
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
    else if (fromEnv !== undefined && (fromEnv !== "" || EMPTY_IS_AN_ERROR.has(name))) raw[name] = fromEnv;
  }
  const flagUrl = flags.DATABASE_URL;
  if (flagUrl !== undefined && !flagUrl.startsWith("@") && databaseUrlHasPassword(flagUrl)) {
    throw new SettingsError("--database-url", PASSWORD_ON_COMMAND_LINE);
  }
  const result = serverSettingsSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue.path[0]);
    const shown = SECRET_SETTINGS.has(name) || LONG_SETTINGS.has(name) ? "" : ` (got "${raw[name]}")`;
    throw new SettingsError(describeSetting(name), `${issue.message}${shown}`);
  }
  const settings = result.data;
  if (settings.APIKEYS_CLIENT_IP_HEADER && settings.APIKEYS_TRUSTED_PROXIES.length === 0) {
    throw new SettingsError(
      "APIKEYS_CLIENT_IP_HEADER",
      "is only believed from a trusted proxy; set APIKEYS_TRUSTED_PROXIES to your proxy's addresses too (for example 10.0.0.5), or unset it",
    );
  }
  return settings;
}

const FLAG_OF: Record<string, string> = {
  APIKEYS_PORT: "--port",
  APIKEYS_HOST: "--host",
  DATABASE_URL: "--database-url",
  APIKEYS_ALLOW_NON_LOOPBACK: "--allow-non-loopback",
};

function describeSetting(name: string): string {
  return FLAG_OF[name] ? `${FLAG_OF[name]} / ${name}` : name;
}
