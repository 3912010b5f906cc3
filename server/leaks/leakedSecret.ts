import { isoNow, type ServerContext } from "../context";
import { hasValidChecksum, hashSecret } from "../ids";
import { revokeLeakedSecret, type LeakedSecretOutcome } from "./leakedKeySecret";
import { revokeLeakedToken, type LeakedTokenOutcome } from "../tokens/leakedToken";

/** What one match of a verified alert led to; `found` is the answer's true/false positive. */
export interface LeakResult {
  readonly found: boolean;
  readonly outcome: LeakedSecretOutcome | LeakedTokenOutcome | "root_token_reported";
}

/** One match of a signed alert: the string that looks like a secret, and where it was seen. */
export interface LeakReport {
  readonly token: string;
  readonly type: string;
  readonly url?: string;
  readonly source?: string;
}

/**
 * How to replace a leaked root token, in the log line that reports it (docs/RELIABILITY.md and
 * server/README.md say the same). The server does not revoke its root token itself: it is the only
 * credential that can create organizations and reach every one, and nothing could replace it from
 * inside the API.
 */
const REPLACE_ROOT_TOKEN =
  "Replace it now: set APIKEYS_ROOT_TOKEN to a new value (`openssl rand -base64 32`) and restart every replica; " +
  "each one refuses the old token once it restarts. Then look in each organization's audit log for organizations " +
  "and tokens created by root since the leak, and revoke any you do not recognise.";

type Log = (line: Record<string, unknown>) => void;

/** Without a server log (an app built in a test) the report still reaches a person: standard error. */
const standardError: Log = (line) => process.stderr.write(`${JSON.stringify(line)}\n`);

/**
 * Acts on one match of a verified secret-scanning alert, for every kind of secret the server issues:
 *
 * - an API key secret (`ak_`): see `revokeLeakedSecret` (the key, or only a previous secret's grace);
 * - an organization admin token (`at_`): revoked at once, audit `token.revoke` by `secret-scanning`;
 *   every token minted from it that still works (by it, or by a token minted from it, however deep) is named
 *   in that entry and in a warning, not revoked;
 * - the root token (generated `rt_`, or the operator's, whatever its shape): reported at error level
 *   with how to replace it, never revoked, never logged.
 *
 * The published scanner pattern (docs/rotation.md) matches `at_` and `rt_` too, and an alert used to act on `ak_` only:
 * a leaked admin token was answered `false_positive` and kept working.
 */
export async function actOnLeakedSecret(ctx: ServerContext, report: LeakReport): Promise<LeakResult> {
  const log = ctx.log ?? standardError;
  const where = { type: report.type, ...(report.url ? { url: report.url } : {}), ...(report.source ? { source: report.source } : {}) };
  // Compared with the hash the replicas share (the settings table), so an operator's root token of
  // any shape is recognised, and a root token replaced on another replica is judged as it is now.
  const rootTokenHash = (await ctx.db.selectFrom("settings").select("value").where("name", "=", "root_token_hash").executeTakeFirst())?.value;
  if (rootTokenHash !== undefined && hashSecret(ctx.pepper, report.token) === rootTokenHash) {
    log({
      time: new Date().toISOString(),
      level: "error",
      event: "root_token_leaked",
      message: `A signed secret-scanning alert says this server's root token leaked; it still works until you replace it. ${REPLACE_ROOT_TOKEN}`,
      ...where,
    });
    return { found: true, outcome: "root_token_reported" };
  }
  // Everything else we issue carries a checksum: a string without one is not ours, and costs no query.
  if (!hasValidChecksum(report.token)) return { found: false, outcome: "unknown" };
  if (report.token.startsWith("ak_")) return revokeLeakedSecret(ctx, report.token, report);
  if (report.token.startsWith("at_")) {
    const { issuedTokens, ...result } = await revokeLeakedToken(
      ctx.db,
      { pepper: ctx.pepper, lockRows: ctx.databaseKind === "postgres" },
      report.token,
      report,
      isoNow(ctx),
    );
    if (issuedTokens && issuedTokens.length > 0) {
      log({
        time: new Date().toISOString(),
        level: "warn",
        event: "leaked_token_issued_tokens",
        message: `The leaked admin token (revoked now) had issued ${issuedTokens.length} token(s) that still work, directly or through tokens it issued: ${issuedTokens.map((t) => `${t.tokenId} "${t.name}" (issued by ${t.createdBy})`).join(", ")}. Check with their owners and revoke any nobody recognises (DELETE /v1/organizations/{org}/tokens/{tokenId}, or the console).`,
        tokenIds: issuedTokens.map((t) => t.tokenId),
        ...where,
      });
    }
    return result;
  }
  // A well-formed root token that is not this server's: a replaced one, or another server's (staging,
  // a colleague's). Nothing to do here, but the operator may run that other server.
  log({
    time: new Date().toISOString(),
    level: "warn",
    event: "foreign_root_token_leaked",
    message:
      "A signed secret-scanning alert named a root token (rt_...) that is not this server's current one: nothing changed here. If it is another server's, replace it there.",
    ...where,
  });
  return { found: false, outcome: "unknown" };
}
