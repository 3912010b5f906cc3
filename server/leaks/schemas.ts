import { z } from "zod";

/** The most matches one alert may carry; GitHub batches far fewer. */
const MAX_ENTRIES = 1000;

/** The longest `url` and `source` kept; longer ones are cut to these (cutWhereFound) rather than refused. */
const WHERE_FOUND_LIMITS = { url: 2000, source: 100 } as const;

/**
 * An entry with its `url` and `source` cut to their limits. Where a secret was found is the
 * scanner's note, not the match: an over-long one must not leave a leaked key live.
 */
export function cutWhereFound(entry: unknown): unknown {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return entry;
  const cut: Record<string, unknown> = { ...entry };
  for (const [field, max] of Object.entries(WHERE_FOUND_LIMITS)) {
    const value = cut[field];
    if (typeof value === "string" && value.length > max) cut[field] = `${value.slice(0, max - 1)}…`;
  }
  return cut;
}

/** One match in a secret-scanning alert (GitHub's partner program format). */
export function leakAlertEntrySchema() {
  const text = (max: number) =>
    z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") }).max(max, `must be at most ${max} characters`);
  return z
    .object(
      {
        token: text(512).meta({ description: "The string that looks like a key." }),
        type: text(200).meta({ description: "The token type the scanner matched, e.g. pulumi_apikeys_secret." }),
        url: text(WHERE_FOUND_LIMITS.url).optional().meta({ description: "Where it was found." }),
        source: text(WHERE_FOUND_LIMITS.source).optional().meta({ description: "content, commit, pull_request, issue, npm ..." }),
      },
      { error: "must be an object with token and type" },
    )
    .loose();
}

/**
 * The alert as documented: a list of entries. Only its outer shape is checked as a whole
 * (leakAlertListSchema); each entry is validated on its own, so one malformed entry cannot keep
 * the valid ones in the same alert from being acted on.
 */
export function leakAlertSchema() {
  return z.array(leakAlertEntrySchema()).min(1).max(MAX_ENTRIES);
}

/** The outer shape an alert must have before its entries are read one by one. */
export function leakAlertListSchema() {
  return z
    .array(z.unknown(), { error: "an alert must be a JSON array of {token, type, url, source}" })
    .min(1, "an alert must hold at least one entry")
    .max(MAX_ENTRIES, `an alert may hold at most ${MAX_ENTRIES} entries; send the rest in another`);
}

/** An entry that was acted on: GitHub's false-positive feedback format. */
function leakAlertLabelSchema() {
  return z.object({
    token_hash: z.string().meta({ description: "SHA-256 of the token, hex." }),
    token_type: z.string(),
    label: z.enum(["true_positive", "false_positive"]),
  });
}

/** An entry that was not valid, so not acted on: where it is in the alert and what is wrong with it. */
function leakAlertInvalidEntrySchema() {
  return z.object({
    index: z.number().int().meta({ description: "The entry's position in the alert, from 0." }),
    error: z.object({
      code: z.literal("VALIDATION_FAILED"),
      field: z.string().meta({ description: "The refused field, prefixed with the entry's index (1.url)." }),
      message: z.string(),
    }),
  });
}

/** One answer per entry, in the alert's order: a label for each valid entry, an error for each invalid one. */
export function leakAlertAnswerSchema() {
  return z.array(z.union([leakAlertLabelSchema(), leakAlertInvalidEntrySchema()]));
}

export type LeakAlertAnswer = z.output<ReturnType<typeof leakAlertAnswerSchema>>[number];
