import { privilegeKey, type Privilege } from "../privilege";
import { DEFAULT_RISKS } from "./catalogue";
import { riskEntrySchema, type Acceptance, type RiskEntry, type RulesFile, type Severity } from "./schema";
import { assessScope, scopeRuleSchema, type ScopeRisk, type ScopeRule } from "./scopes";

/** Why one privilege of one key needs a reviewer's eye. */
export interface PrivilegeRisk {
  readonly severity: Exclude<Severity, "none">;
  readonly privilege: string;
  readonly reason: string;
  readonly source?: string;
}

const SEVERITY_RANK: Record<Severity, number> = { none: 0, medium: 1, high: 2 };

/** A sort comparator: the more severe first. */
export function mostSevereFirst(a: { severity: Severity }, b: { severity: Severity }): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

function patternMatches(pattern: string, value: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return regex.test(value);
}

function privilegeMatches(pattern: string, p: Pick<Privilege, "owner" | "targetDomain" | "type">): boolean {
  const [owner, domain, type] = pattern.split("/");
  return patternMatches(owner, p.owner) && patternMatches(domain, p.targetDomain) && patternMatches(type, p.type);
}

/** The catalogue in force: the defaults, with a rules file's entries replacing or adding to them. */
export class RiskCatalogue {
  private readonly entries: ReadonlyArray<Required<Omit<RiskEntry, "source">> & { source?: string }>;
  private readonly accepted: readonly Acceptance[];
  private readonly scopeRules: readonly ScopeRule[];

  constructor(rules: Partial<RulesFile> = {}) {
    const byId = new Map<string, (typeof this.entries)[number]>();
    for (const entry of [...DEFAULT_RISKS, ...(rules.risks ?? [])]) {
      const parsed = riskEntrySchema().parse(entry);
      byId.set(`${parsed.privilege}|${parsed.targets}`, parsed);
    }
    this.entries = [...byId.values()];
    this.accepted = rules.accept ?? [];
    this.scopeRules = (rules.scopes ?? []).map((rule) => ({ source: "rules file", ...scopeRuleSchema().parse(rule) }));
  }

  /** A described API's scope: the rules file's `scopes` first, then `described` (its description's `risks`), else unknown. */
  assessScope(scope: string, described: readonly ScopeRule[] = []): ScopeRisk {
    return assessScope(scope, this.scopeRules, described);
  }

  // The risks of one privilege held by `keyName`, most severe first. The most specific entry decides
  // ("SEARCH_API/IMPERSONATE/x" beats "any/any/EDIT"): entries are tried from the most specific
  // pattern down, the more severe first on a tie (PLATFORM/API_KEYS/EDIT matches both the API_KEYS
  // entry and the EDIT entry), and one match per targets kind counts. Line comments: a pattern
  // with "*" and "/" would end a block comment.
  assess(keyName: string, p: Privilege): { risks: PrivilegeRisk[]; acceptedBecause?: string } {
    const acceptance = this.accepted.find((a) => a.keys.includes(keyName) && privilegeMatches(a.privilege, p));
    const label = privilegeKey(p);
    const risks: PrivilegeRisk[] = [];
    for (const targets of ["any", "all"] as const) {
      if (targets === "all" && !p.targetIds?.includes("*")) continue;
      const match = this.entries
        .filter((e) => e.targets === targets && privilegeMatches(e.privilege, p))
        .sort((a, b) => specificity(b.privilege) - specificity(a.privilege) || mostSevereFirst(a, b))[0];
      if (match && match.severity !== "none")
        risks.push({ severity: match.severity, privilege: label, reason: match.reason, ...(match.source ? { source: match.source } : {}) });
    }
    risks.sort(mostSevereFirst);
    return acceptance ? { risks: [], acceptedBecause: `${label} accepted: ${acceptance.reason}` } : { risks };
  }

  /** Every risk of a key's privileges (accepted ones left out), for a policy or a badge. */
  assessAll(keyName: string, privileges: readonly Privilege[]): PrivilegeRisk[] {
    return privileges.flatMap((p) => this.assess(keyName, p).risks);
  }
}

/** How specific a pattern is: characters that are not "*" (an exact name beats a wildcard). */
function specificity(pattern: string): number {
  return pattern.split("/").reduce((score, part) => score + (part === "*" ? 0 : part.includes("*") ? 50 : 100), 0);
}
