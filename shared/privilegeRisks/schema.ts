import { z } from "zod";

export const SEVERITIES = ["high", "medium", "none"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** OWNER/TARGET_DOMAIN/TYPE, each part a name or a pattern with `*` (any run of characters). */
const privilegePattern = z
  .string()
  .regex(
    /^[A-Z0-9_*]+\/[A-Z0-9_*]+\/[A-Z0-9_*]+$/,
    'must be OWNER/TARGET_DOMAIN/TYPE in UPPER_SNAKE_CASE, "*" matching any part, for example SEARCH_API/IMPERSONATE/*',
  );

/** One entry of the catalogue: which privileges it matches, how bad they are, and why. */
export function riskEntrySchema() {
  return z
    .object({
      privilege: privilegePattern,
      targets: z.enum(["any", "all"], { error: 'must be "any" (default) or "all" (only privileges whose targetIds hold "*")' }).default("any"),
      severity: z.enum(SEVERITIES, { error: 'must be "high", "medium" or "none" (none silences the entry)' }),
      reason: z.string().min(3, "must say what the privilege lets a key do, for example: can run queries as any user").max(200),
      source: z.string().max(300).optional(),
    })
    .strict();
}

/** A privilege accepted for named keys: their review shows no risk for it. */
export function acceptanceSchema() {
  return z
    .object({
      keys: z.array(z.string().min(1)).min(1, "must name at least one key (the resource name, as in the review)"),
      privilege: privilegePattern,
      reason: z.string().min(3, "must say why this key needs the privilege (it shows in the report)"),
    })
    .strict();
}

/** `apikeys-review.json`: the team's additions to the catalogue. */
export function rulesFileSchema() {
  return z
    .object({
      $schema: z.string().optional(),
      risks: z.array(riskEntrySchema()).default([]),
      accept: z.array(acceptanceSchema()).default([]),
    })
    .strict();
}

export type RiskEntry = z.input<ReturnType<typeof riskEntrySchema>>;
export type Acceptance = z.infer<ReturnType<typeof acceptanceSchema>>;
export type RulesFile = z.infer<ReturnType<typeof rulesFileSchema>>;
