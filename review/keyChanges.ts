import { privilegeKey, type Privilege } from "../shared/privilege";
import { privilegesDiff } from "../provider/diff";
import type { PreviewJson, PreviewStep } from "./previewJson";

export const API_KEY_TYPE = "pulumi-nodejs:dynamic/apikeys:ApiKey";

export type KeyOperation = "create" | "update" | "replace" | "delete";

/** Privilege types that grant more than reading or using: adding one is an escalation. */
export const ESCALATING_TYPES = new Set(["EDIT", "CREATE", "DELETE", "ADMINISTRATE"]);

/** One key a preview touches, as a reviewer needs to see it. */
export interface KeyChange {
  readonly name: string;
  readonly operation: KeyOperation;
  readonly environment: { readonly before?: string; readonly after?: string };
  readonly privilegesAdded: readonly Privilege[];
  readonly privilegesRemoved: readonly Privilege[];
  /** Consumers must pick up a new secret (create, replace), or lose theirs (delete). */
  readonly secretChanges: boolean;
  /** Why this change needs a closer look; empty when it does not. */
  readonly risks: readonly string[];
  readonly replaceReasons: readonly string[];
}

const OPERATIONS: Record<string, KeyOperation | undefined> = {
  create: "create",
  update: "update",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  delete: "delete",
};

function privilegesOf(state: PreviewStep["oldState"], from: "inputs" | "outputs"): Privilege[] {
  const value = state?.[from]?.privileges ?? state?.inputs?.privileges;
  return Array.isArray(value) ? (value as Privilege[]) : [];
}

function risksOf(added: readonly Privilege[], before?: string, after?: string): string[] {
  const risks: string[] = [];
  for (const p of added) {
    if (ESCALATING_TYPES.has(p.type)) risks.push(`grants ${p.type} (${privilegeKey(p)})`);
    if (p.targetIds?.includes("*")) risks.push(`wildcard target (${privilegeKey(p)})`);
  }
  if (before === "test" && after === "live") risks.push("test key becomes live");
  return risks;
}

/** The ApiKey changes in a preview, one per key, in the preview's order. */
export function keyChanges(preview: PreviewJson): KeyChange[] {
  const byUrn = new Map<string, PreviewStep[]>();
  for (const step of preview.steps) {
    const type = step.newState?.type ?? step.oldState?.type ?? step.urn.split("::")[2];
    if (type !== API_KEY_TYPE || !OPERATIONS[step.op]) continue;
    byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);
  }
  return [...byUrn.entries()].map(([urn, steps]) => {
    const operation = steps.some((s) => OPERATIONS[s.op] === "replace") ? "replace" : OPERATIONS[steps[0].op]!;
    const oldState = steps.find((s) => s.oldState)?.oldState;
    const newState = steps.find((s) => s.newState)?.newState;
    const before = operation === "create" ? [] : privilegesOf(oldState, "outputs");
    const after = operation === "delete" ? [] : privilegesOf(newState, "inputs");
    const { added, removed } = privilegesDiff(before, after);
    const environment = {
      before: oldState ? String(oldState.outputs?.environment ?? oldState.inputs?.environment ?? "test") : undefined,
      after: newState ? String(newState.inputs?.environment ?? "test") : undefined,
    };
    return {
      name: urn.split("::").pop()!,
      operation,
      environment,
      privilegesAdded: added,
      privilegesRemoved: removed,
      secretChanges: operation !== "update",
      risks: operation === "delete" ? [] : risksOf(added, environment.before, environment.after),
      replaceReasons: [...new Set(steps.flatMap((s) => s.replaceReasons ?? []))],
    };
  });
}
