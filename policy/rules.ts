import { privilegeKey, type Privilege } from "../shared/privilege";

/** The ApiKey's inputs as a policy sees them (after the provider's check normalized them). */
export interface KeyDeclaration {
  readonly environment?: string;
  readonly description?: string;
  readonly expiresAt?: string;
  readonly privileges?: readonly Privilege[];
  readonly rotation?: { readonly rotateAfterDays?: number; readonly trigger?: string };
}

/**
 * One organization rule over a key declaration: pure, so it is tested without an engine and
 * reused by the policy pack. `check` answers a violation message, or undefined when the key complies.
 */
export interface KeyRule<Config> {
  readonly name: string;
  readonly description: string;
  readonly defaults: Config;
  readonly configSchema: Record<string, { type: "number" | "integer"; minimum?: number }>;
  check(key: KeyDeclaration, config: Config, now: Date): string | undefined;
}

const DAY_MS = 86_400_000;

export const liveKeysExpire: KeyRule<{ maxDays: number }> = {
  name: "apikeys-live-keys-expire",
  description: "Live API keys must expire within a set number of days.",
  defaults: { maxDays: 365 },
  configSchema: { maxDays: { type: "integer", minimum: 1 } },
  check(key, { maxDays }, now) {
    if (key.environment !== "live") return undefined;
    if (!key.expiresAt) return `live keys must expire within ${maxDays} days: set expiresAt`;
    const days = (Date.parse(key.expiresAt) - now.getTime()) / DAY_MS;
    return days > maxDays ? `live keys must expire within ${maxDays} days: expiresAt ${key.expiresAt} is ${Math.floor(days)} days away` : undefined;
  },
};

export const noWildcardInLive: KeyRule<Record<string, never>> = {
  name: "apikeys-no-wildcard-in-live",
  description: 'Live API keys must name their targets: no "*" in targetIds.',
  defaults: {},
  configSchema: {},
  check(key) {
    if (key.environment !== "live") return undefined;
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
    return (key.description ?? "").trim().length < minLength ? `every key needs a description of at least ${minLength} characters saying what it is for and who owns it` : undefined;
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
  description: "Live API keys rotate at least every N days.",
  defaults: { maxDays: 90 },
  configSchema: { maxDays: { type: "integer", minimum: 1 } },
  check(key, { maxDays }) {
    if (key.environment !== "live") return undefined;
    const days = key.rotation?.rotateAfterDays;
    return days === undefined || days > maxDays ? `live keys must rotate at least every ${maxDays} days: set rotation.rotateAfterDays to ${maxDays} or less` : undefined;
  },
};

export const KEY_RULES = [liveKeysExpire, noWildcardInLive, descriptionRequired, maxPrivileges, liveKeysRotate] as const;
