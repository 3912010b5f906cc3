import { z } from "zod";
import { isoDurationSchema, LIFETIME_WITH_EXPIRY, MAX_ISO_DURATION } from "../../shared/isoDuration";
import { MAX_GRACE_PERIOD_MESSAGE, MAX_GRACE_PERIOD_SECONDS } from "../../shared/limits";
import { privilegeSchema } from "../../shared/privilege";
import { DESCRIPTION_MESSAGE, DESCRIPTION_PATTERN, LABEL_MESSAGE, LABEL_PATTERN } from "../../shared/controlCharacters";

export { issuedKeySchema, keyPageSchema, keySchema, type Key } from "../../shared/wire/key";

/**
 * JavaScript's whitespace as `String.prototype.trim` removes it (tab to carriage return, space,
 * no-break and typographic spaces), and the characters plainText refuses in a one-line field (C0/C1
 * controls; zero-width, bidirectional and other invisible characters): the same classes as
 * server/http/plainText.ts, which keeps its own private.
 */
const WHITESPACE = "\\u0009-\\u000D\\u0020\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF";
const REFUSED = "\\u0000-\\u001F\\u007F-\\u009F\\u200B\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\u2028\\u2029\\uFEFF";
/** The whitespace a one-line field may hold (the rest of WHITESPACE is refused). */
const SPACES = "\\u0020\\u00A0\\u1680\\u2000-\\u200A\\u202F\\u205F\\u3000";
/**
 * No refused character, and at least one that is not whitespace: one pattern, for the validator and
 * the document. Leading spaces, then the first other character, then the rest: the classes are
 * disjoint, so a refused character after 60,000 others costs one pass (not one per position).
 */
const NAME = new RegExp(`^[${SPACES}]*[^${REFUSED}${WHITESPACE}][^${REFUSED}]*$`);

/**
 * A one-line name: plainText's rules (trimmed, not empty, no control or invisible character), in a
 * document pattern that says what trimming means. A trimmed string's minLength alone let `"   "`
 * through the document, and the validator refused it (found by Schemathesis's
 * positive_data_acceptance check).
 */
export function nameText(maxLength: number) {
  return z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(maxLength, `must be at most ${maxLength} characters`)
    .regex(NAME, "must not contain control characters, line breaks or invisible characters (zero-width, bidirectional overrides)");
}

function environmentSchema() {
  return z.enum(["live", "test"], { error: 'must be "live" or "test"' });
}

function isoInstant() {
  return z.iso.datetime({ offset: true, error: "must be an ISO-8601 date-time such as 2027-01-31T00:00:00Z" });
}

const MAX_METADATA_ENTRIES = 16;

function metadataSchema() {
  return (
    z
      .record(
        z
          .string()
          .max(64)
          .regex(/^[a-zA-Z0-9_.:\-/]+$/, "metadata keys use letters, digits and _ . : - /")
          // Refused earlier with its own message (parseJsonBody); here so the document says it too.
          .regex(/^(?!__proto__$)/, '"__proto__" is a reserved name; choose another'),
        // A label value is one line: shared with the provider's check (shared/controlCharacters.ts).
        z.string().max(256).regex(LABEL_PATTERN, LABEL_MESSAGE),
      )
      .refine((m) => Object.keys(m).length <= MAX_METADATA_ENTRIES, `at most ${MAX_METADATA_ENTRIES} metadata entries`)
      // zod has no size bound for records: the refine above is the check, this the document's copy of it.
      .meta({ description: "Free-form labels, e.g. pulumi:stack, shown in the console.", maxProperties: MAX_METADATA_ENTRIES })
  );
}

/** The fields a key's owner controls; create gives them defaults, update makes each optional. */
function keyFieldSchemas() {
  return {
    displayName: nameText(125),
    // Lines, but no lone carriage return or other control: shared with the provider's check (shared/controlCharacters.ts).
    description: z.string().max(1000, "must be at most 1000 characters").regex(DESCRIPTION_PATTERN, DESCRIPTION_MESSAGE),
    enabled: z.boolean(),
    privileges: z.array(privilegeSchema()).max(100, "must hold at most 100 privileges"),
    expiresAt: isoInstant().nullable(),
    metadata: metadataSchema(),
  };
}

export function createKeyBodySchema() {
  const f = keyFieldSchemas();
  return (
    z
      .object({
        displayName: f.displayName,
        description: f.description.default(""),
        environment: environmentSchema().default("test"),
        enabled: f.enabled.default(true),
        privileges: f.privileges.default([]),
        expiresAt: f.expiresAt.optional(),
        lifetime: isoDurationSchema()
          .optional()
          .meta({
            description: `How long the key lives from each new secret (ISO-8601 duration, e.g. P90D), at most ${MAX_ISO_DURATION}: expiresAt is set at create and moved at every roll.`,
          }),
        metadata: f.metadata.optional(),
      })
      .strict()
      .superRefine((body, ctx) => {
        if (body.lifetime !== undefined && body.expiresAt !== undefined && body.expiresAt !== null) {
          ctx.addIssue({
            code: "custom",
            path: ["lifetime"],
            message: LIFETIME_WITH_EXPIRY,
          });
        }
      })
      // The refinement above in the document's words (zod cannot translate a refinement): a body with
      // a lifetime and an expiresAt date is not a CreateKeyRequest.
      .meta({
        description: LIFETIME_WITH_EXPIRY,
        not: { required: ["lifetime", "expiresAt"], properties: { expiresAt: { type: "string" } } },
      })
  );
}

export function updateKeyBodySchema() {
  return z.object(keyFieldSchemas()).partial().strict();
}

export function rollKeyBodySchema() {
  return z
    .object({
      gracePeriodSeconds: z.number().int().min(0).max(MAX_GRACE_PERIOD_SECONDS, MAX_GRACE_PERIOD_MESSAGE).default(0),
    })
    .strict();
}

export function revokeKeyQuerySchema() {
  return z
    .object({
      gracePeriodSeconds: z.coerce
        .number()
        .int()
        .min(0)
        .max(MAX_GRACE_PERIOD_SECONDS, MAX_GRACE_PERIOD_MESSAGE)
        .default(0)
        .meta({ description: "How long the key keeps working before it is revoked." }),
    })
    .strict();
}

export function getKeyQuerySchema() {
  return z
    .object({
      includeRevoked: z
        .enum(["true", "false"], { error: 'must be "true" or "false"' })
        .optional()
        .meta({ description: "Answer a revoked key too (status revoked, revokedReason)." }),
    })
    .strict();
}

export function listKeysQuerySchema() {
  return z
    .object({
      environment: environmentSchema().optional(),
      enabled: z.enum(["true", "false"], { error: 'must be "true" or "false"' }).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
      cursor: z.string().max(100).optional(),
    })
    .strict();
}

export type CreateKeyBody = z.infer<ReturnType<typeof createKeyBodySchema>>;
export type UpdateKeyBody = z.infer<ReturnType<typeof updateKeyBodySchema>>;
