import { resolve } from "node:path";
import { privilegeKey, type Privilege } from "../shared/privilege";
import { addIsoDuration } from "../shared/isoDuration";
import { loadRulesFile, RiskCatalogue, RulesFileError, type RulesFile, type Severity } from "../shared/privilegeRisks";
import { canExpire, isProductionKey, type DeclaredBackend } from "./keyBackend";

/** The ApiKey's inputs as a policy sees them (after the provider's check normalized them). */
export interface KeyDeclaration extends DeclaredBackend {
  readonly environment?: string;
  readonly description?: string;
  readonly expiresAt?: string;
  /** ISO-8601 duration: the key expires this long after each new secret. */
  readonly lifetime?: string;
  readonly privileges?: readonly Privilege[];
  readonly rotation?: { readonly rotateAfterDays?: number; readonly trigger?: string; readonly renewBeforeExpiry?: string };
}

/**
 * One organization rule over a key declaration: pure, so it is tested without an engine and
 * reused by the policy pack. `check` answers a violation message, or undefined when the key complies.
 */
export interface KeyRule<Config> {
  readonly name: string;
  readonly description: string;
  readonly defaults: Config;
  readonly configSchema: Record<string, { type: "number" | "integer"; minimum?: number } | { type: "string" }>;
  /** The enforcement level when the pack's config does not set one. */
  readonly enforcementLevel?: "mandatory" | "advisory";
  /** `name` is the resource's name, as the review and the rules file's `accept` entries use it. */
  check(key: KeyDeclaration, config: Config, now: Date, name: string): string | undefined;
}

const DAY_MS = 86_400_000;

/** Whole days from `now` to `now` plus an ISO-8601 duration; undefined for a value that is not one (check refuses those). */
function durationDays(duration: string, now: Date): number | undefined {
  try {
    return (addIsoDuration(now, duration).getTime() - now.getTime()) / DAY_MS;
  } catch {
    return undefined;
  }
}

/**
 * A key renewed before it expires (`lifetime` and `rotation.renewBeforeExpiry`, docs/rotation.md's
 * advice for live keys) gets a new secret at least once per lifetime: that is an expiry and a rotation.
 */
function renewedWithin(key: KeyDeclaration, maxDays: number, now: Date): "renewed" | "too long" | undefined {
  if (key.lifetime === undefined || key.rotation?.renewBeforeExpiry === undefined) return undefined;
  const days = durationDays(key.lifetime, now);
  return days !== undefined && days <= maxDays ? "renewed" : "too long";
}

export const liveKeysExpire: KeyRule<{ maxDays: number }> = {
  name: "apikeys-live-keys-expire",
  description: "Live API keys (and every key of a backend without environments: Coveo) must expire within a set number of days: a lifetime, or expiresAt.",
  defaults: { maxDays: 365 },
  configSchema: { maxDays: { type: "integer", minimum: 1 } },
  check(key, { maxDays }, now) {
    // A key whose API cannot expire keys (Didomi) answers to apikeys-live-keys-rotate instead.
    if (!isProductionKey(key) || !canExpire(key)) return undefined;
    const advice = `set expiresAt, or a lifetime of at most P${maxDays}D renewed with rotation.renewBeforeExpiry`;
    if (key.lifetime !== undefined) {
      // A lifetime expires the key that long after each new secret, renewed or not.
      const days = durationDays(key.lifetime, now);
      return days !== undefined && days > maxDays ? `live keys must expire within ${maxDays} days: lifetime ${key.lifetime} is longer; ${advice}` : undefined;
    }
    if (!key.expiresAt) return `live keys must expire within ${maxDays} days: ${advice}`;
    const days = (Date.parse(key.expiresAt) - now.getTime()) / DAY_MS;
    return days > maxDays ? `live keys must expire within ${maxDays} days: expiresAt ${key.expiresAt} is ${Math.floor(days)} days away` : undefined;
  },
};

export const noWildcardInLive: KeyRule<Record<string, never>> = {
  name: "apikeys-no-wildcard-in-live",
  description: 'Live API keys (and every key of a backend without environments: Coveo) must name their targets: no "*" in targetIds.',
  defaults: {},
  configSchema: {},
  check(key) {
    // A backend without privileges (Didomi) has none in its checked declaration: nothing to check.
    if (!isProductionKey(key)) return undefined;
    const wild = (key.privileges ?? []).filter((p) => p.targetIds?.includes("*"));
    return wild.length ? `live keys must not target "*": ${wild.map(privilegeKey).join(", ")}` : undefined;
  },
};

export const descriptionRequired: KeyRule<{ minLength: number }> = {
  name: "apikeys-description-required",
  description: "Every API key says what it is for and who owns it.",
  defaults: { minLength: 10 },
  configSchema: { minLength: { type: "integer", minimum: 1 } },
  check(key, { minLength }) {
    return (key.description ?? "").trim().length < minLength
      ? `every key needs a description of at least ${minLength} characters saying what it is for and who owns it`
      : undefined;
  },
};

export const maxPrivileges: KeyRule<{ max: number }> = {
  name: "apikeys-max-privileges",
  description: "An API key holds a bounded number of privileges.",
  defaults: { max: 20 },
  configSchema: { max: { type: "integer", minimum: 1 } },
  check(key, { max }) {
    const count = key.privileges?.length ?? 0;
    return count > max ? `keys may hold at most ${max} privileges; this one has ${count}: split it by consumer` : undefined;
  },
};

export const liveKeysRotate: KeyRule<{ maxDays: number }> = {
  name: "apikeys-live-keys-rotate",
  description:
    "Live API keys (and every key of a backend without environments: Coveo, Didomi) get a new secret at least every N days: rotation.rotateAfterDays, or a lifetime renewed before it expires.",
  defaults: { maxDays: 90 },
  configSchema: { maxDays: { type: "integer", minimum: 1 } },
  check(key, { maxDays }, now) {
    if (!isProductionKey(key)) return undefined;
    const days = key.rotation?.rotateAfterDays;
    if (days !== undefined && days <= maxDays) return undefined;
    if (canExpire(key) && renewedWithin(key, maxDays, now) === "renewed") return undefined;
    const renewal = canExpire(key) ? `, or a lifetime of at most P${maxDays}D with rotation.renewBeforeExpiry` : "";
    return `live keys must rotate at least every ${maxDays} days: set rotation.rotateAfterDays to ${maxDays} or less${renewal}`;
  },
};

const loadedRules = new Map<string, { readonly rules: Partial<RulesFile>; readonly catalogue: RiskCatalogue }>();

/** The team's rules file (read once per path) and the catalogue it makes, or the defaults; a bad file throws RulesFileError. */
export function rulesFor(rulesFile: string): { readonly rules: Partial<RulesFile>; readonly catalogue: RiskCatalogue } {
  const path = rulesFile ? resolve(rulesFile) : "";
  let loaded = loadedRules.get(path);
  if (!loaded) {
    const rules = path ? loadRulesFile(path) : {};
    loadedRules.set(path, (loaded = { rules, catalogue: new RiskCatalogue(rules) }));
  }
  return loaded;
}

function catalogueFor(rulesFile: string): RiskCatalogue {
  return rulesFor(rulesFile).catalogue;
}

/** Sensitive privileges of one severity, from the catalogue the review uses (shared/privilegeRisks). */
function sensitivePrivileges(severity: Exclude<Severity, "none">): KeyRule<{ rulesFile: string }> {
  return {
    name: severity === "high" ? "apikeys-sensitive-privileges" : "apikeys-sensitive-privileges-medium",
    description: `API keys hold no ${severity}-risk privilege (impersonation, view-all-content, managing keys, groups or the organization...) unless the rules file accepts it for that key.`,
    defaults: { rulesFile: "" },
    configSchema: { rulesFile: { type: "string" } },
    enforcementLevel: severity === "high" ? "mandatory" : "advisory",
    check(key, { rulesFile }, _now, name) {
      let catalogue: RiskCatalogue;
      try {
        catalogue = catalogueFor(rulesFile);
      } catch (error) {
        if (error instanceof RulesFileError) return `the rules file cannot be used: ${error.message}`;
        throw error;
      }
      const risks = catalogue.assessAll(name, key.privileges ?? []).filter((r) => r.severity === severity);
      return risks.length
        ? `${severity}-risk privilege${risks.length === 1 ? "" : "s"}: ${risks.map((r) => `${r.privilege} (${r.reason})`).join("; ")}. Remove it, or accept it for this key in the rules file (accept: [{ keys: ["${name}"], privilege, reason }])`
        : undefined;
    },
  };
}

export const sensitivePrivilegesHigh = sensitivePrivileges("high");
export const sensitivePrivilegesMedium = sensitivePrivileges("medium");

export const KEY_RULES = [
  liveKeysExpire,
  noWildcardInLive,
  descriptionRequired,
  maxPrivileges,
  liveKeysRotate,
  sensitivePrivilegesHigh,
  sensitivePrivilegesMedium,
] as const;
