import { z } from "zod";

/** How much a scope of a described API lets a key do; `unknown` where nothing says (never guessed). */
export type ScopeRiskLevel = "high" | "medium" | "low" | "unknown";

/** One rule about scopes: a scope or a pattern (`*` matches any run of characters), its level and why. */
export interface ScopeRule {
  readonly scope: string;
  readonly risk: Exclude<ScopeRiskLevel, "unknown">;
  readonly reason: string;
  /** Where the rule comes from, for the reviewer: the rules file, or the description that rates it. */
  readonly source?: string;
}

/** One scope of a key, as the rules and the description rate it. */
export interface ScopeRisk {
  readonly scope: string;
  readonly risk: ScopeRiskLevel;
  readonly reason: string;
  readonly source?: string;
}

/** A rules file's `scopes` entry (apikeys-review.json): the team's word on a described API's scopes, over the description's. */
export function scopeRuleSchema() {
  return z
    .object({
      scope: z.string().min(1, 'must be a scope or a pattern such as "admin:*" ("*" matches any run of characters)'),
      risk: z.enum(["high", "medium", "low"], { error: 'must be "high", "medium" or "low"' }),
      reason: z.string().min(3, "must say what the scope lets a key do, for example: can read every user's data").max(200),
      source: z.string().max(300).optional(),
    })
    .strict();
}

function matches(pattern: string, scope: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return regex.test(scope);
}

/** An exact scope beats a pattern, and a longer literal part beats a shorter one. */
function specificity(pattern: string): number {
  return pattern.includes("*") ? pattern.replace(/\*/g, "").length : Number.MAX_SAFE_INTEGER;
}

/** The most specific rule of one list that matches the scope. */
function bestMatch(scope: string, rules: readonly ScopeRule[]): ScopeRule | undefined {
  return rules.filter((r) => matches(r.scope, scope)).sort((a, b) => specificity(b.scope) - specificity(a.scope))[0];
}

/**
 * A scope's risk: the rules file's rules first (the team's word), then the description's `risks`; a
 * scope neither matches is `unknown`, said as such: a scope name alone does not tell what it grants.
 */
export function assessScope(scope: string, teamRules: readonly ScopeRule[], describedRules: readonly ScopeRule[]): ScopeRisk {
  const rule = bestMatch(scope, teamRules) ?? bestMatch(scope, describedRules);
  if (!rule) return { scope, risk: "unknown", reason: "no rule says what this scope grants (the rules file's scopes, the description's risks)" };
  return { scope, risk: rule.risk, reason: rule.reason, ...(rule.source ? { source: rule.source } : {}) };
}

/** A description's `risks` map (scope pattern → level and reason) as rules, their source the description. */
export function describedScopeRules(
  risks: Readonly<Record<string, { risk: Exclude<ScopeRiskLevel, "unknown">; reason: string }>>,
  source: string,
): ScopeRule[] {
  return Object.entries(risks).map(([scope, { risk, reason }]) => ({ scope, risk, reason, source }));
}
