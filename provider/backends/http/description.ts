import { z } from "zod";

/**
 * A key API described in a file (JSON or YAML), no code: what `connection.backend: "http"` reads from
 * the file `connection.api` names. This zod schema is the single source of truth for the format: the
 * published JSON Schema (schemas/key-api.schema.json, for editors) is generated from it, and the
 * loader (load.ts) parses every file with it. Changes to it are additive only: a description written
 * for one version keeps working with the next.
 *
 * The format, in short (docs/backends.md "Your key API in a file" has the whole story):
 *
 * - `baseUrl` and `auth`: where the API lives and how a request proves who sends it (`bearer`,
 *   `basic` or a custom `header`), with the token from the connection's `token` (`apikeys:token`,
 *   `APIKEYS_TOKEN`) or from the environment variable `auth.tokenFromEnv` names.
 * - `create`, `read`, `delete` (required), `update` and `roll` (optional): one request each, a method,
 *   a path template and a body template. `{id}` is the key's id, `{name}` a value of `variables`.
 * - A body template is JSON whose strings may hold placeholders: a string that is exactly one
 *   placeholder (`"{scopes}"`) becomes the value with its type (a list, a number); a placeholder inside
 *   other text is written into it. A property whose placeholder has no value (an unset lifetime) is
 *   left out of the body.
 * - `answer`: JSON pointers (RFC 6901) into the API's answer for a key: `id` and `secret` required,
 *   the other fields where the API reports them. A request's own `answer` overrides them for that
 *   request's answer (a roll that answers only the new secret).
 * - `update.fields`: the fields that change in place; a declared change to any other field replaces
 *   the key (a new key, then the old one goes).
 * - Without `roll`, a rotation creates a successor first and the stack deletes the old key once
 *   `rotation.gracePeriodSeconds` is over (the next `pulumi up` after it).
 */

/** The ApiKey values a create or update body can carry, by placeholder name. */
export const KEY_VALUE_PLACEHOLDERS = [
  "displayName",
  "description",
  "enabled",
  "scopes",
  "metadata",
  /** The declared expiry, an ISO-8601 date-time. */
  "expiresAt",
  /** The declared `lifetime` (an ISO-8601 duration) in whole seconds, or milliseconds, from now. */
  "lifetimeSeconds",
  "lifetimeMilliseconds",
] as const;

/** A placeholder only a roll's body knows: how long the old secret keeps working. */
export const ROLL_PLACEHOLDERS = ["gracePeriodSeconds"] as const;

/** The fields an answer can report, besides the id and the secret. */
export const ANSWER_FIELDS = ["displayName", "description", "enabled", "scopes", "metadata", "expiresAt", "createdAt", "lastUsedAt", "hint"] as const;

/** The fields `update.fields` can name: those an update body can send. */
export const UPDATABLE_FIELDS = ["displayName", "description", "enabled", "scopes", "metadata", "expiresAt"] as const;

const AUTH_KINDS = ["bearer", "basic", "header"] as const;

/** How much a scope lets a key do, as a description rates it for `pulumi-apikeys review` and `report`. */
const SCOPE_RISK_LEVELS = ["low", "medium", "high"] as const;
export type ScopeRiskLevel = (typeof SCOPE_RISK_LEVELS)[number];
const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An RFC 6901 JSON pointer: "" (the whole answer) or `/`-separated tokens, `~0` for `~` and `~1` for `/`. */
function jsonPointerSchema() {
  return z
    .string({ error: "must be a JSON pointer (a string)" })
    .regex(/^(\/([^~/]|~[01])*)*$/, 'must be a JSON pointer (RFC 6901) such as "/data/id" (each token after a "/"; write "~1" for "/" and "~0" for "~")');
}

/** Where each field of a key is in the API's answer. */
function answerPointersSchema() {
  const optional = () => jsonPointerSchema().optional();
  return z
    .object({
      id: jsonPointerSchema().describe("The key's id (a string or a number), e.g. /id or /data/id."),
      secret: jsonPointerSchema().describe("The secret, answered once by the create (and by a roll), e.g. /token or /data/accessKey."),
      displayName: optional().describe("The key's name."),
      description: optional(),
      enabled: optional().describe("A boolean: false when the key is disabled."),
      scopes: optional().describe("A list of strings: what the key may do."),
      metadata: optional().describe("An object of strings: the key's labels."),
      expiresAt: optional().describe("When the key stops working: an ISO-8601 date-time or epoch (milli)seconds; null when it never does."),
      createdAt: optional(),
      lastUsedAt: optional().describe("When the key was last used; null or absent when never."),
      hint: optional().describe("A non-secret prefix to recognise the key; the start of the id when absent."),
    })
    .strict();
}

function requestShape() {
  return {
    method: z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(", ")}` }),
    path: z
      .string({ error: "must be a path (a string) such as /users/{user}/tokens/{id}" })
      .startsWith("/", 'must start with "/": it is added to baseUrl')
      .describe("Added to baseUrl. {id} is the key's id, {name} a value of `variables`; each is URL-encoded."),
    body: z
      .json()
      .optional()
      .describe(
        'JSON sent as the body; a string that is exactly "{placeholder}" becomes the value with its type, and a property whose value is unset is left out.',
      ),
    answer: answerPointersSchema()
      .partial()
      .optional()
      .describe("Pointers for this request's answer, over the description's `answer` (e.g. a roll that answers only { data: { accessKey } })."),
  };
}

/** One request of the key API. */
function requestSchema() {
  return z.object(requestShape()).strict();
}

/**
 * What the API's scopes let a key do, for a reviewer: by scope pattern (`*` matches any run of
 * characters), a level and why. Read by `pulumi-apikeys review` and `report` only; the provider ignores it.
 */
function scopeRisksSchema() {
  return z
    .record(
      z.string().min(1, 'must be a scope or a pattern such as "admin:*"'),
      z
        .object({
          risk: z.enum(SCOPE_RISK_LEVELS, { error: `must be one of ${SCOPE_RISK_LEVELS.join(", ")}` }),
          reason: z.string().min(3, "must say what the scope lets a key do, e.g. can read every user's data").max(200, "must be at most 200 characters"),
        })
        .strict(),
    )
    .describe(
      'What each scope lets a key do, for pulumi-apikeys review and report: scope pattern ("*" matches any run of characters) → { risk: low | medium | high, reason }. ' +
        "The most specific pattern decides; a scope no pattern matches is reported with an unknown risk.",
    );
}

/** The update request, with the fields it changes in place. */
function updateRequestSchema() {
  return z
    .object({
      ...requestShape(),
      fields: z
        .array(z.enum(UPDATABLE_FIELDS, { error: `must be one of ${UPDATABLE_FIELDS.join(", ")}` }))
        .min(1, "must name at least one field; leave `update` out if the API changes nothing in place")
        .describe("The fields this request changes in place; a declared change to another field replaces the key."),
    })
    .strict();
}

function authSchema() {
  return z
    .object({
      kind: z.enum(AUTH_KINDS, { error: `is not a known auth kind: use one of ${AUTH_KINDS.join(", ")}` }),
      header: z
        .string()
        .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name such as X-Api-Key")
        .optional()
        .describe("kind header: the header that carries the token (required)."),
      prefix: z
        .string()
        .optional()
        .describe('Written before the token: "Bearer " by default for kind bearer (JupyterHub also takes "token "), nothing for kind header.'),
      tokenFromEnv: z
        .string()
        .regex(NAME, "must be an environment variable name such as JUPYTERHUB_API_TOKEN")
        .optional()
        .describe("The environment variable holding the token; when unset or empty, the connection's token (apikeys:token, APIKEYS_TOKEN)."),
    })
    .strict()
    .describe('How requests authenticate. kind basic: the token is "user:password".');
}

export function descriptionSchema() {
  return z
    .object({
      $schema: z.string().optional().describe("The JSON Schema of this format, for editors: schemas/key-api.schema.json."),
      name: z
        .string({ error: "is required: a short name for the API, such as jupyterhub" })
        .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be lowercase letters, digits and dashes, such as jupyterhub")
        .describe("The API's name, in messages; the keys' organizationId unless connection.organizationId is set."),
      baseUrl: z
        .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://hub.example.com/hub/api" })
        .describe("Where the API lives; connection.endpoint (apikeys:endpoint, APIKEYS_ENDPOINT) overrides it. https, or http on loopback only."),
      auth: authSchema(),
      variables: z
        .record(z.string().regex(NAME, "must be a name such as user (letters, digits, _)"), z.string())
        .optional()
        .describe("Values for {name} in paths and bodies, e.g. { user: alice }."),
      requestsPerSecond: z
        .number()
        .positive("must be more than 0")
        .max(10_000, "must be at most 10000")
        .optional()
        .describe("How many requests per second the API tolerates; the provider paces itself under it. Unlimited when absent."),
      goneStatuses: z
        .array(z.number().int().min(400, "must be a 4xx status").max(499, "must be a 4xx status"))
        .optional()
        .describe("Statuses that mean the key no longer exists (a read answers it as gone, a delete as done). Default: [404, 410]."),
      answer: answerPointersSchema().describe("Where each field of a key is in the API's answers (create, read, update, roll)."),
      create: requestSchema().describe("Makes a key; its answer holds the secret (the only time the API shows it)."),
      read: requestSchema().describe("Reads one key by {id}."),
      update: updateRequestSchema().optional().describe("Changes `fields` of a key in place. Without it, every declared change replaces the key."),
      delete: requestSchema().describe("Deletes (revokes) a key by {id}."),
      roll: requestSchema()
        .optional()
        .describe(
          "Gives a key a new secret, same id. Without it a rotation creates a successor and the stack deletes the old key after the grace period. " +
            "The old secret keeps working through the grace only if the body sends {gracePeriodSeconds}.",
        ),
      risks: scopeRisksSchema().optional(),
    })
    .strict();
}

export type KeyApiDescription = z.output<ReturnType<typeof descriptionSchema>>;
export type KeyApiRequest = z.output<ReturnType<typeof requestSchema>>;
export type AnswerPointers = z.output<ReturnType<typeof answerPointersSchema>>;
export type KeyApiAuth = z.output<ReturnType<typeof authSchema>>;

/** The JSON Schema editors read (schemas/key-api.schema.json is this, committed; a test keeps them equal). */
export function descriptionJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(descriptionSchema(), { io: "input" }),
    title: "A key API described for pulumi-apikeys (connection.backend: http)",
  };
}
