import { z } from "zod";
import { TOKEN_SCOPES } from "../../shared/wire/token";
import { plainText } from "../http/plainText";
import { nameText } from "../keys/schemas";

export { TOKEN_SCOPES, callerSchema, issuedTokenSchema, tokenListSchema, tokenSchema, type TokenInfo, type TokenScope } from "../../shared/wire/token";

/** What a caller may ask for when issuing an admin token. */
export function createTokenBodySchema() {
  return z
    .object({
      name: nameText(100).default("admin token").meta({ description: "Who or what uses the token, e.g. ci-deploy." }),
      description: plainText(500, { allowLineBreaks: true }).default(""),
      scope: z.enum(TOKEN_SCOPES, { error: 'must be "manage" (create, change and revoke keys and tokens) or "read" (GET only)' }).default("manage"),
      // Left out and null differ: a token that expires cannot issue one without an expiry (null is
      // refused), and one it issues with no expiry stated gets its own.
      expiresAt: z.iso
        .datetime({ offset: true, error: "must be an ISO-8601 date-time such as 2027-01-31T00:00:00Z" })
        .nullable()
        .optional()
        .meta({
          description:
            "After this instant the token is refused; it must be in the future (an instant already past is a 400). null: no expiry. Left out: no expiry, or the issuing token's expiry when it has one. " +
            "A token never outlives the token that issued it: a later expiry is lowered to the issuer's, and null from an issuer that expires is refused (400).",
        }),
    })
    .strict();
}

export type CreateTokenBody = z.infer<ReturnType<typeof createTokenBodySchema>>;
