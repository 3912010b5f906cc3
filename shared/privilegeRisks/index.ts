export { DEFAULT_RISKS } from "./catalogue";
export { atLeast, mostSevereFirst, RiskCatalogue, type PrivilegeRisk } from "./assess";
export { findRulesFile, loadRulesFile, parseRulesFile, RulesFileError, RULES_FILE_NAME } from "./rulesFile";
export { rulesFileSchema, SEVERITIES, type RiskEntry, type RulesFile, type Severity } from "./schema";
