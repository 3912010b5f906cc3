import { keysOf } from "../records";
import type { BackendDescriptor } from "./backendDescriptor";
import { coveo } from "./coveo";
import { didomi } from "./didomi";
import { http } from "./http";
import { reference } from "./reference";

/**
 * Every key API the provider can talk to, by the name `connection.backend` takes. Adding one: a
 * folder beside these exporting its descriptor, and one entry here (see docs/ARCHITECTURE.md).
 */
export const BACKENDS = { reference, coveo, didomi, http } as const;

export type BackendName = keyof typeof BACKENDS;
export const BACKEND_NAMES: BackendName[] = keysOf(BACKENDS);

type Descriptors = (typeof BACKENDS)[BackendName];
type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/** The inputs every backend adds to the ApiKey, as one zod shape. */
export type BackendInputFields = UnionToIntersection<ReturnType<Descriptors["inputFields"]>>;

/** A region some backend knows (`connection.region`). */
export type Region = NonNullable<Descriptors["regions"]>[number];

/** The backends' own inputs merged into one zod shape (their names never overlap). */
export function backendInputFields(): BackendInputFields {
  // Object.assign over a list types its result as `any`: TypeScript cannot merge a list of shapes into
  // their intersection, which BackendInputFields spells out.
  return Object.assign({}, ...Object.values(BACKENDS).map((backend: BackendDescriptor) => backend.inputFields())) as BackendInputFields;
}

/** Whether a name (from a resource, stack config or the environment) is one some folder provides. */
export function isBackendName(name: unknown): name is BackendName {
  return typeof name === "string" && Object.hasOwn(BACKENDS, name);
}

/** What the provider says about a backend name no folder provides. */
export function unknownBackendMessage(name: string): string {
  return `unknown key API backend "${name}": use one of ${BACKEND_NAMES.join(", ")}`;
}

/** The descriptor for a backend name; undefined for a name no folder provides. */
export function backendNamed(name: string): BackendDescriptor | undefined {
  return isBackendName(name) ? BACKENDS[name] : undefined;
}

/** Every region any backend knows, for the `connection.region` input. */
export function knownRegions(): Region[] {
  return [...new Set(Object.values(BACKENDS).flatMap((backend) => backend.regions ?? []))];
}

/** The backends that support an optional input, for the message that refuses it elsewhere. */
export function backendsSupporting(input: string): BackendName[] {
  return BACKEND_NAMES.filter((name) => BACKENDS[name].supportedInputs.includes(input));
}
