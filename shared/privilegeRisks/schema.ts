import { z } from "zod";
import { scopeRuleSchema } from "./scopes";

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
function acceptanceSchema() {
  return z
    .object({
      keys: z.array(z.string().min(1)).min(1, "must name at least one key (the resource name, as in the review)"),
      privilege: privilegePattern,
      reason: z.string().min(3, "must say why this key needs the privilege (it shows in the report)"),
    })
    .strict();
}

/** A number of days, as every credential report threshold takes it. */
function thresholdDays(what: string) {
  return z
    .number({ error: `must be a number of days (${what})` })
    .int("must be a whole number of days")
    .min(1, "must be at least 1 day")
    .max(3650, "must be at most 3650 days");
}

/**
 * The credential report's thresholds (`pulumi-apikeys report`, and the policy pack's
 * apikeys-unused-keys and apikeys-stale-secrets rules), as the rules file's `report` section sets
 * them: each optional there; `reportThresholdsSchema` fills in the defaults.
 */
export function reportThresholdsFileSchema() {
  return z
    .object({
      /** A key not used for this many days is unused (and one never used this long after its creation). */
      unusedDays: thresholdDays("a key not used for this long is reported unused").optional(),
      /** The oldest a secret may be when its key has no rotation.rotateAfterDays. */
      maxSecretAgeDays: thresholdDays("the oldest a secret may be when its key declares no rotation").optional(),
      /** Keys expiring within this many days are reported. */
      expiringDays: thresholdDays("keys expiring sooner are reported").optional(),
    })
    .strict();
}

/** The thresholds in force: 90 days unused, 90 days of secret age without a rotation policy, 30 days to expiry. */
export function reportThresholdsSchema() {
  const fields = reportThresholdsFileSchema().shape;
  return z.object({
    unusedDays: fields.unusedDays.unwrap().default(90),
    maxSecretAgeDays: fields.maxSecretAgeDays.unwrap().default(90),
    expiringDays: fields.expiringDays.unwrap().default(30),
  });
}

export type ReportThresholds = z.infer<ReturnType<typeof reportThresholdsSchema>>;

/** `apikeys-review.json`: the team's additions to the catalogue, and the credential report's thresholds. */
export function rulesFileSchema() {
  return z
    .object({
      $schema: z.string().optional(),
      risks: z.array(riskEntrySchema()).default([]),
      accept: z.array(acceptanceSchema()).default([]),
      /** What the scopes of described APIs (connection.backend: http) let a key do, over a description's own `risks`. */
      scopes: z.array(scopeRuleSchema()).default([]),
      /** Thresholds for `pulumi-apikeys report` and the policy pack's unused-key and stale-secret rules. */
      report: reportThresholdsFileSchema().optional(),
    })
    .strict();
}

export type RiskEntry = z.input<ReturnType<typeof riskEntrySchema>>;
export type Acceptance = z.infer<ReturnType<typeof acceptanceSchema>>;
export type RulesFile = z.infer<ReturnType<typeof rulesFileSchema>>;
