import type { RiskEntry } from "./schema";

const COVEO_PRIVILEGES = "https://docs.coveo.com/en/1707 (privilege reference), https://docs.coveo.com/en/159 (valid combinations)";
const DEFAULT = "pulumi-apikeys default";

/**
 * The privileges a reviewer must see before they ship, shared by `pulumi-apikeys review`, the policy
 * pack and the console so they can never disagree. Every entry that matches a privilege is a risk;
 * a user's rules file replaces an entry by repeating its `privilege` (and `targets`), or silences it
 * with severity "none". Coveo's names come from its privilege reference; the reference server uses
 * the same Coveo-shaped privileges, so the same entries apply to it.
 */
export const DEFAULT_RISKS: readonly RiskEntry[] = [
  { privilege: "SEARCH_API/IMPERSONATE/*", severity: "high", reason: "can run queries as any user, seeing what they may see", source: COVEO_PRIVILEGES },
  { privilege: "SEARCH_API/VIEW_ALL_CONTENT/*", severity: "high", reason: "sees every indexed document, whatever its permissions", source: COVEO_PRIVILEGES },
  { privilege: "USAGE_ANALYTICS/IMPERSONATE/*", severity: "high", reason: "can send usage analytics events on behalf of any user", source: COVEO_PRIVILEGES },
  { privilege: "USAGE_ANALYTICS/DELETE_USER_ANALYTICS_DATA/*", severity: "high", reason: "can erase a user's analytics data", source: COVEO_PRIVILEGES },
  { privilege: "*/API_KEYS/*", severity: "high", reason: "manages API keys: can mint a key with any privilege it can reach", source: COVEO_PRIVILEGES },
  { privilege: "*/API_KEYS/VIEW", severity: "medium", reason: "lists every API key and its privileges", source: COVEO_PRIVILEGES },
  { privilege: "*/GROUPS/*", severity: "high", reason: "manages groups: can grant people privileges", source: COVEO_PRIVILEGES },
  { privilege: "*/GROUPS/VIEW", severity: "medium", reason: "lists groups, their members and privileges", source: COVEO_PRIVILEGES },
  { privilege: "*/PRIVILEGES/*", severity: "high", reason: "manages privileges themselves", source: DEFAULT },
  { privilege: "*/ORGANIZATION/*", severity: "high", reason: "changes the organization's settings", source: COVEO_PRIVILEGES },
  {
    privilege: "*/ORGANIZATION/VIEW",
    severity: "none",
    reason: "reads the organization's name and settings; the minimum for the administration console",
    source: COVEO_PRIVILEGES,
  },
  { privilege: "*/ADMINISTRATE/*", severity: "high", reason: "administers the whole service", source: COVEO_PRIVILEGES },
  { privilege: "*/*/ADMINISTRATE", severity: "high", reason: "administers the whole domain", source: DEFAULT },
  { privilege: "*/*/EDIT", severity: "medium", reason: "can change what it targets, not only use it", source: DEFAULT },
  { privilege: "*/*/CREATE", severity: "medium", reason: "can create resources", source: DEFAULT },
  { privilege: "*/*/DELETE", severity: "medium", reason: "can delete resources", source: DEFAULT },
  { privilege: "*/*/*", targets: "all", severity: "medium", reason: 'targets "*": every present and future target', source: DEFAULT },
];
