import { z } from "zod";

/** One match in a secret-scanning alert (GitHub's partner program format). */
export function leakAlertSchema() {
  return z
    .array(
      z
        .object({
          token: z.string().max(512).meta({ description: "The string that looks like a key." }),
          type: z.string().max(200).meta({ description: "The token type the scanner matched, e.g. pulumi_apikeys_secret." }),
          url: z.string().max(2000).optional().meta({ description: "Where it was found." }),
          source: z.string().max(100).optional().meta({ description: "content, commit, pull_request, issue, npm ..." }),
        })
        .loose(),
    )
    .min(1)
    .max(1000);
}

/** The answer for each match: GitHub's false-positive feedback format. */
export function leakAlertAnswerSchema() {
  return z.array(
    z.object({
      token_hash: z.string().meta({ description: "SHA-256 of the token, hex." }),
      token_type: z.string(),
      label: z.enum(["true_positive", "false_positive"]),
    }),
  );
}

export type LeakAlert = z.output<ReturnType<typeof leakAlertSchema>>;
