import { createHash, verify } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Context } from "hono";
import type { ServerContext } from "../context";
import { ApiError } from "../http/apiError";
import type { AppEnv } from "../http/appEnv";
import { FeatureRoutes, named } from "../http/featureRoutes";
import type { RefusedAttempts } from "../http/refusedAttempts";
import { parseJsonText, parseWith, validationError } from "../http/validation";
import type { AlertKey } from "./alertKeys";
import { actOnLeakedSecret } from "./leakedSecret";
import { cutWhereFound, leakAlertAnswerSchema, leakAlertEntrySchema, leakAlertListSchema, leakAlertSchema, type LeakAlertAnswer } from "./schemas";

/**
 * Every signed alert is answered no sooner than this after it arrived, whatever it held: a
 * revocation (a database write) must not take measurably longer than a token that matches nothing.
 */
const ALERT_ANSWER_FLOOR_MS = 250;

/** Whether `raw` was signed by one of the configured keys (ECDSA P-256 with SHA-256, DER, base64). */
function signedBy(keys: readonly AlertKey[], raw: string, identifier: string | undefined, signature: string | undefined): boolean {
  const signer = keys.find((k) => k.identifier === identifier);
  if (!signer || !signature) return false;
  try {
    return verify("sha256", Buffer.from(raw, "utf8"), signer.key, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

/**
 * Secret-scanning alerts in GitHub's partner-program format (`POST /v1/secret-scanning/alerts`): a
 * signed JSON array of matches. A match that is one of our secrets is acted on (leakedSecret.ts: a key
 * or admin token revoked at once, a root token reported); every valid match is answered `true_positive` or
 * `false_positive`, every invalid one with its index and error (the valid ones are still acted on).
 * An unsigned, forged or altered alert is refused (401) before anything is read.
 */
export function leakRoutes(ctx: ServerContext, options: { alertKeys: readonly AlertKey[]; refused: RefusedAttempts }): FeatureRoutes {
  const listSchema = leakAlertListSchema();
  const entrySchema = leakAlertEntrySchema();
  const handle = async (c: Context<AppEnv>) => {
    if (options.alertKeys.length === 0) {
      throw new ApiError(
        503,
        "NOT_CONFIGURED",
        "secret-scanning alerts are not configured on this server: set APIKEYS_LEAK_ALERT_KEYS to the signing keys (see README)",
      );
    }
    const raw = await c.req.text();
    if (!signedBy(options.alertKeys, raw, c.req.header("github-public-key-identifier"), c.req.header("github-public-key-signature"))) {
      const tooMany = options.refused.record([`alert-address:${c.get("clientAddress")}`], "alert deliveries", ctx.now());
      if (tooMany) throw tooMany;
      throw new ApiError(
        401,
        "UNAUTHENTICATED",
        "the alert's signature does not verify against a configured key (Github-Public-Key-Identifier, Github-Public-Key-Signature)",
      );
    }
    const started = performance.now();
    const entries = parseWith(listSchema, parseJsonText(raw, "the alert is not JSON: expected an array of {token, type, url, source}"));
    const answers: LeakAlertAnswer[] = [];
    for (const [index, entry] of entries.entries()) {
      // Each entry on its own: one malformed match (an over-long url) must not leave the others' keys live.
      const checked = entrySchema.safeParse(cutWhereFound(entry));
      if (!checked.success) {
        const refused = validationError(checked.error, [index]);
        answers.push({ index, error: { code: "VALIDATION_FAILED", field: refused.field ?? String(index), message: refused.message } });
        continue;
      }
      const alert = checked.data;
      const { found } = await actOnLeakedSecret(ctx, alert);
      answers.push({
        token_hash: createHash("sha256").update(alert.token).digest("hex"),
        token_type: alert.type,
        label: found ? "true_positive" : "false_positive",
      });
    }
    const left = ALERT_ANSWER_FLOOR_MS - (performance.now() - started);
    if (left > 0) await sleep(left);
    return c.json(answers);
  };
  return new FeatureRoutes().add(
    {
      method: "post",
      path: "/alerts",
      summary:
        "Secret-scanning alerts (GitHub's partner format, signed): revokes each live key or admin token found (a root token is reported), answers true/false positive per valid entry and the error of each invalid one",
      security: "signature",
      headers: [
        { name: "Github-Public-Key-Identifier", description: "Which configured key signed the body" },
        { name: "Github-Public-Key-Signature", description: "Base64 DER ECDSA P-256 signature of the raw body, SHA-256" },
      ],
      body: { schema: leakAlertSchema(), name: "SecretScanningAlert", required: true, readByHandler: true },
      answers: {
        200: {
          description: "One answer per entry, in order: a label for each valid match, an error for each invalid one",
          body: named("SecretScanningAnswer", leakAlertAnswerSchema()),
        },
        503: { description: "No signing keys configured (APIKEYS_LEAK_ALERT_KEYS)" },
      },
    },
    handle,
  );
}
