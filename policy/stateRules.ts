import { reportThresholdsSchema, RulesFileError, type ReportThresholds } from "../shared/privilegeRisks";
import { staleSecretFinding, unusedFinding } from "../review/credentials/findings";
import { keyRecordOf, type KeyResource } from "../review/credentials/keyRecords";
import { rulesFor } from "./rules";

/**
 * A rule over a key's state (its outputs: last use, when its secret was issued) rather than its
 * declaration: the pack runs it as a stack policy, which the engine gives every resource's outputs
 * (unchanged keys keep theirs in a preview; run `pulumi preview --refresh` for fresh last use).
 * The findings are the credential report's own (review/credentials/findings.ts), from the same
 * thresholds: the rules file's `report` section, unless the pack's config sets one.
 */
export interface StateRule<Config> {
  readonly name: string;
  readonly description: string;
  readonly defaults: Config;
  readonly configSchema: Record<string, { type: "integer"; minimum?: number } | { type: "string" }>;
  readonly enforcementLevel: "advisory";
  /** A violation message for one key, or undefined when it complies. */
  check(key: KeyResource, config: Config, now: Date): string | undefined;
}

type StateRuleConfig<Threshold extends keyof ReportThresholds> = { rulesFile: string } & { [T in Threshold]?: number };

/** The thresholds in force: the defaults, the rules file's `report` section, then the pack's config. */
function thresholds(config: { rulesFile: string } & Partial<ReportThresholds>): ReportThresholds {
  const overrides = Object.fromEntries(
    (["unusedDays", "maxSecretAgeDays", "expiringDays"] as const).filter((k) => typeof config[k] === "number").map((k) => [k, config[k]]),
  );
  return reportThresholdsSchema().parse({ ...rulesFor(config.rulesFile).rules.report, ...overrides });
}

function stateRule<Threshold extends keyof ReportThresholds>(
  rule: Omit<StateRule<StateRuleConfig<Threshold>>, "check" | "defaults" | "configSchema" | "enforcementLevel"> & {
    readonly threshold: Threshold;
    readonly finding: (record: ReturnType<typeof keyRecordOf>, thresholds: ReportThresholds) => { message: string } | undefined;
  },
): StateRule<StateRuleConfig<Threshold>> {
  // No threshold by default (the rules file's or the report's applies): typed apart, since TypeScript
  // checks an empty object against a mapped type over a generic key, not an intersection holding one.
  const noThreshold: { [T in Threshold]?: number } = {};
  return {
    name: rule.name,
    description: rule.description,
    defaults: { rulesFile: "", ...noThreshold },
    configSchema: { rulesFile: { type: "string" }, [rule.threshold]: { type: "integer", minimum: 1 } },
    enforcementLevel: "advisory",
    check(key, config, now) {
      let limits: ReportThresholds;
      let record: ReturnType<typeof keyRecordOf>;
      try {
        limits = thresholds(config);
        record = keyRecordOf(key, "policy", rulesFor(config.rulesFile).catalogue, now);
      } catch (error) {
        if (error instanceof RulesFileError) return `the rules file cannot be used: ${error.message}`;
        throw error;
      }
      return rule.finding(record, limits)?.message;
    },
  };
}

export const unusedKeys = stateRule({
  name: "apikeys-unused-keys",
  description: "API keys are used: none unused (or never used) for the report's unusedDays (90 by default).",
  threshold: "unusedDays",
  finding: (record, limits) => unusedFinding(record, limits),
});

export const staleSecrets = stateRule({
  name: "apikeys-stale-secrets",
  description: "No secret is older than its key's rotation.rotateAfterDays, or than maxSecretAgeDays (90 by default) without one.",
  threshold: "maxSecretAgeDays",
  finding: (record, limits) => staleSecretFinding(record, limits),
});

export const STATE_RULES = [unusedKeys, staleSecrets] as const;
