import { createHash } from "node:crypto";
import type { ApiKeyInputs, ApiKeyOutputs } from "./inputs";
import { specOf } from "./spec";
import { stableJson } from "./stableJson";

/** Which stack resource a key declaration is: [project, stack, resource name]. */
export type Declaration = readonly [project: string, stack: string, resource: string];

/** Which stack resource a key declaration is, from the labels ApiKey writes. */
export function declarationOf(values: Pick<ApiKeyInputs, "metadata">): Declaration | undefined {
  const labels = values.metadata ?? {};
  return labels["pulumi:stack"] && labels["pulumi:resource"] ? [labels["pulumi:project"] ?? "", labels["pulumi:stack"], labels["pulumi:resource"]] : undefined;
}

/**
 * Which stack resource a URN names (`urn:pulumi:<stack>::<project>::<type>::<name>`): what the engine
 * tells a native provider with every create and delete, for programs that write no labels.
 */
export function declarationFromUrn(urn: string): Declaration | undefined {
  // The type (with its parents') holds single colons only; a name may hold anything.
  const [head, project, type, ...name] = urn.split("::");
  if (!head?.startsWith("urn:pulumi:") || !project || !type || name.length === 0) return undefined;
  return [project, head.slice("urn:pulumi:".length), name.join("::")];
}

/**
 * A create's Idempotency-Key derived from what the stack declares (project, stack, resource name,
 * the key's fields, the rotation trigger): a run that dies after the API made the key but before
 * the engine wrote it to state asks again with the same key and gets that key back, not a second one.
 * Undefined when the inputs do not say which stack resource they are.
 */
export function declarationIdempotencyKey(inputs: ApiKeyInputs, declaration = declarationOf(inputs)): string | undefined {
  if (!declaration) return undefined;
  const identity = [...declaration, inputs.rotation?.trigger ?? "", specOf(inputs)];
  return `create-${createHash("sha256").update(stableJson(identity)).digest("base64url")}`;
}

/** The key the API knows now: after an in-place rotation it differs from the Pulumi resource id. */
export function currentKeyId(id: string, stored: Partial<Pick<ApiKeyOutputs, "keyId">> | undefined): string {
  return typeof stored?.keyId === "string" && stored.keyId !== "" ? stored.keyId : id;
}

/** How a key is named in messages: `"search" (key_…)`. */
export function labelOf(values: Partial<Pick<ApiKeyInputs, "displayName">>, id?: string): string {
  const name = typeof values.displayName === "string" ? `"${values.displayName}"` : "";
  return [name, id ? `(${id})` : ""].filter(Boolean).join(" ") || "(unnamed)";
}
