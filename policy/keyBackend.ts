import { BACKEND_NAMES, backendNamed } from "../provider/backends/registry";
import { checkApiKeyInputs } from "../provider/keyState/check";
import type { BackendDescriptor } from "../provider/backends/backendDescriptor";

/**
 * What a policy can tell of a key's backend from its declaration as the provider checked it. The
 * pack cannot read the stack config that picks a backend (`apikeys:backend`), but `check` leaves its
 * mark on the inputs: it drops the default of an input the backend lacks (a Coveo, Didomi or
 * described-API key has no `environment`, a Didomi key no `privileges`) and refuses an input the
 * backend lacks.
 */
export interface DeclaredBackend {
  readonly environment?: string;
  readonly connection?: { readonly backend?: string };
  readonly [input: string]: unknown;
}

/** The inputs `check` gives a default on each backend: what a bare declaration holds once checked there. */
let defaultsKept: Map<string, readonly string[]> | undefined;
function defaultsOn(): Map<string, readonly string[]> {
  return (defaultsKept ??= new Map(BACKEND_NAMES.map((name) => [name, Object.keys(checkApiKeyInputs({}, { displayName: "k" }, new Date(0), name).inputs)])));
}

/**
 * The backends a checked declaration may belong to: the one named on the key; else those whose
 * defaults it holds exactly (a reference key has `environment` and `privileges`, a Coveo key only
 * `privileges`, a Didomi key neither) and whose own inputs include each one it sets.
 */
export function backendsOf(key: DeclaredBackend): BackendDescriptor[] {
  const named = typeof key.connection?.backend === "string" ? backendNamed(key.connection.backend) : undefined;
  if (named) return [named];
  const defaults = defaultsOn();
  const telling = [...new Set([...defaults.values()].flat())].filter((input) => ![...defaults.values()].every((kept) => kept.includes(input)));
  return BACKEND_NAMES.filter((name) => telling.every((input) => Object.hasOwn(key, input) === (defaults.get(name) ?? []).includes(input)))
    .map((name) => backendNamed(name))
    .filter((descriptor): descriptor is BackendDescriptor => descriptor !== undefined)
    .filter((descriptor) => Object.keys(key).every((input) => !isOwnInputOfAnother(input, descriptor)));
}

/** An input only some other backend has (Coveo's allowedIps on a key that would be Didomi's). */
function isOwnInputOfAnother(input: string, descriptor: BackendDescriptor): boolean {
  return !Object.hasOwn(descriptor.inputFields(), input) && BACKEND_NAMES.some((name) => Object.hasOwn(backendNamed(name)?.inputFields() ?? {}, input));
}

/**
 * A production key: a live one, or any key of a backend without environments (the input is gone
 * after `check`): a Coveo or Didomi key serves production traffic, as the credential report counts it.
 */
export function isProductionKey(key: DeclaredBackend): boolean {
  return key.environment === undefined || key.environment === "live";
}

/**
 * Whether the key's API can make a key expire (`expiresAt` or `lifetime`): a mandatory rule must not
 * ask what the backend cannot do, so a key that may be on a backend without expiry (Didomi) is not
 * asked; one that declares an expiry is checked whatever its backend.
 */
export function canExpire(key: DeclaredBackend): boolean {
  if (key.lifetime !== undefined || key.expiresAt !== undefined) return true;
  const candidates = backendsOf(key);
  return candidates.length > 0 && candidates.every(({ supportedInputs }) => supportedInputs.includes("expiresAt") || supportedInputs.includes("lifetime"));
}
