export { DEFAULT_RISKS } from "./catalogue";
export { atLeast, mostSevereFirst, RiskCatalogue, type PrivilegeRisk } from "./assess";
export { findRulesFile, loadRulesFile, parseRulesFile, RulesFileError, RULES_FILE_NAME } from "./rulesFile";
export {
  reportThresholdsFileSchema,
  reportThresholdsSchema,
  rulesFileSchema,
  SEVERITIES,
  type ReportThresholds,
  type RiskEntry,
  type RulesFile,
  type Severity,
} from "./schema";
export { assessScope, describedScopeRules, scopeRuleSchema, type ScopeRisk, type ScopeRiskLevel, type ScopeRule } from "./scopes";
