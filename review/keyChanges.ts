import { z } from "zod";
import type { Privilege } from "../shared/privilege";
import { mostSevereFirst, RiskCatalogue, type PrivilegeRisk, type ScopeRisk } from "../shared/privilegeRisks";
import { DescribedApis } from "./describedApis";
import { privilegesDiff, rotationDue } from "../provider/keyState/diff";
import { describeExposure, type KeyExposure } from "../provider/keyState/exposure";
import type { PreviewJson, PreviewStep } from "./previewJson";

import { DYNAMIC_API_KEY_TYPE, isApiKeyType, NATIVE_API_KEY_TYPE } from "../shared/resourceTypes";

export type KeyOperation = "create" | "update" | "replace" | "delete";

/** Why a change needs a closer look: a privilege from the catalogue, or a test key becoming live. */
export type Risk = Omit<PrivilegeRisk, "privilege"> & { readonly privilege?: string };

/** One key a preview touches, as a reviewer needs to see it. */
export interface KeyChange {
  readonly name: string;
  readonly operation: KeyOperation;
  /** Environments exist on the reference server only: undefined on each side for Coveo and Didomi keys. */
  readonly environment: { readonly before?: string; readonly after?: string };
  readonly privilegesAdded: readonly Privilege[];
  readonly privilegesRemoved: readonly Privilege[];
  /** A described API's scopes (connection.backend: http) the key gains and loses: its privileges there. */
  readonly scopesAdded: readonly string[];
  readonly scopesRemoved: readonly string[];
  /** Each added scope's risk, from the rules file's `scopes` or the description's `risks`; "unknown" where neither says. */
  readonly scopeRisks: readonly ScopeRisk[];
  /** Consumers must pick up a new secret (create, replace, an in-place rotation), or lose theirs (delete). */
  readonly secretChanges: boolean;
  /** Why the secret changes, as a reviewer reads it: the replacing properties or the rotation's reasons. */
  readonly secretReasons: readonly string[];
  /** The key API's report that the secret was found exposed, as the last refresh recorded it. */
  readonly exposure?: string;
  /** Why this change needs a closer look, most severe first; empty when it does not. */
  readonly risks: readonly Risk[];
  /** What a reviewer should know that is not a risk: reduced access, a risk accepted by the rules file. */
  readonly notes: readonly string[];
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

/**
 * A privilege as state records it: loose like the preview schema (the provider's check already
 * validated it; a backend may add fields), only its shape is read.
 */
function statePrivilegeSchema() {
  return z.looseObject({ owner: z.string(), targetDomain: z.string(), type: z.string(), targetIds: z.array(z.string()).optional() });
}

/** What the last refresh recorded about an exposure of the secret (provider/keyState/exposure.ts's KeyExposure). */
function keyExposureSchema() {
  return z.looseObject({
    severity: z.string(),
    reasons: z.array(z.looseObject({ source: z.string(), url: z.string().optional() })),
    deactivatesAt: z.string().optional(),
  });
}

function privilegesOf(state: PreviewStep["oldState"], from: "inputs" | "outputs"): Privilege[] {
  const value = state?.[from]?.privileges ?? state?.inputs?.privileges;
  if (!Array.isArray(value)) return [];
  const privilege = statePrivilegeSchema();
  // An element that is no privilege (a value the preview cannot know yet) has nothing to assess.
  return value.flatMap((item) => {
    const parsed = privilege.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

function scopesOf(state: PreviewStep["oldState"], from: "inputs" | "outputs"): string[] {
  const value = state?.[from]?.scopes ?? state?.inputs?.scopes;
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** A scope's risk as the review shows it: high and medium are risks (they fail --fail-on); low and unknown are notes. */
function scopeFindings(assessed: readonly ScopeRisk[]): { risks: Risk[]; notes: string[] } {
  const risks: Risk[] = [];
  const notes: string[] = [];
  for (const a of assessed) {
    if (a.risk === "high" || a.risk === "medium")
      risks.push({ severity: a.risk, privilege: `scope ${a.scope}`, reason: a.reason, ...(a.source ? { source: a.source } : {}) });
    else if (a.risk === "low") notes.push(`scope ${a.scope}: low risk — ${a.reason}`);
    else notes.push(`scope ${a.scope}: risk unknown — ${a.reason}`);
  }
  return { risks, notes };
}

function assessChange(
  catalogue: RiskCatalogue,
  name: string,
  added: readonly Privilege[],
  before?: string,
  after?: string,
): { risks: Risk[]; accepted: string[] } {
  const risks: Risk[] = [];
  const accepted: string[] = [];
  for (const p of added) {
    const assessed = catalogue.assess(name, p);
    risks.push(...assessed.risks);
    if (assessed.acceptedBecause) accepted.push(assessed.acceptedBecause);
  }
  if (before === "test" && after === "live") risks.push({ severity: "medium", reason: "test key becomes live" });
  risks.sort(mostSevereFirst);
  return { risks, accepted };
}

/** The environment a state records, or undefined for a backend without environments (check drops the input). */
function environmentOf(state: PreviewStep["oldState"]): string | undefined {
  const value = state?.inputs?.environment ?? state?.outputs?.environment;
  const connection = state?.inputs?.connection;
  const backend =
    state?.outputs?.backend ?? (typeof connection === "object" && connection !== null && "backend" in connection ? connection.backend : undefined);
  if (backend !== undefined && backend !== "reference") return undefined;
  return typeof value === "string" ? value : undefined;
}

/** A rotation's reason as a reviewer reads it: where the secret was exposed, how soon it expires. */
function reasonText(reason: string, outputs: Record<string, unknown> | undefined, exposure: string | undefined): string {
  if (reason === "rotation.onExposure" && exposure) return exposure;
  if (reason === "revokedReason" && outputs?.revokedReason === "leaked") return "replaces a key revoked as leaked";
  if (reason === "rotation.renewBeforeExpiry" && typeof outputs?.expiresAt === "string") {
    const days = Math.max(0, Math.ceil((Date.parse(outputs.expiresAt) - Date.now()) / 86_400_000));
    return `expires in ${days} day${days === 1 ? "" : "s"}`;
  }
  return reason;
}

/** The ApiKey changes in a preview, one per key, in the preview's order, assessed against `catalogue`. */
export function keyChanges(preview: PreviewJson, catalogue = new RiskCatalogue(), apis = new DescribedApis(process.cwd())): KeyChange[] {
  // Each key's steps, with the first one's operation: a key is listed from its first step on.
  const byUrn = new Map<string, { first: KeyOperation; steps: PreviewStep[] }>();
  for (const step of preview.steps) {
    const type = step.newState?.type ?? step.oldState?.type ?? step.urn.split("::")[2];
    const stepOperation = OPERATIONS[step.op];
    if (!isApiKeyType(type) || !stepOperation) continue;
    const seen = byUrn.get(step.urn);
    if (seen) seen.steps.push(step);
    else byUrn.set(step.urn, { first: stepOperation, steps: [step] });
  }
  return [...byUrn.entries()].map(([urn, { first, steps }]) => {
    const operation = steps.some((s) => OPERATIONS[s.op] === "replace") ? "replace" : first;
    const oldState = steps.find((s) => s.oldState)?.oldState;
    const newState = steps.find((s) => s.newState)?.newState;
    const before = operation === "create" ? [] : privilegesOf(oldState, "outputs");
    const after = operation === "delete" ? [] : privilegesOf(newState, "inputs");
    const { added, removed } = privilegesDiff(before, after);
    const scopesBefore = operation === "create" ? [] : scopesOf(oldState, "outputs");
    const scopesAfter = operation === "delete" ? [] : scopesOf(newState, "inputs");
    const scopesAdded = scopesAfter.filter((scope) => !scopesBefore.includes(scope));
    const scopesRemoved = scopesBefore.filter((scope) => !scopesAfter.includes(scope));
    const described = apis.forKey((newState ?? oldState)?.inputs?.connection).flatMap((api) => api.scopeRules);
    const scopeRisks = operation === "delete" ? [] : scopesAdded.map((scope) => catalogue.assessScope(scope, described));
    const scoped = scopeFindings(scopeRisks);
    const environment = { before: environmentOf(oldState), after: operation === "delete" ? undefined : environmentOf(newState) };
    // A URN's last "::" part is the resource's name (split always answers at least one part).
    const name = urn.split("::").at(-1) ?? urn;
    const { risks, accepted } =
      operation === "delete" ? { risks: [], accepted: [] } : assessChange(catalogue, name, added, environment.before, environment.after);
    risks.push(...scoped.risks);
    const exposureReport: KeyExposure | undefined = keyExposureSchema().safeParse(oldState?.outputs?.exposure).data;
    const exposure = exposureReport ? describeExposure(exposureReport) : undefined;
    // A backend that rotates in place (Coveo) shows a due rotation as an update: the same pure rule as the provider's diff.
    const rotating = operation === "update" && oldState?.outputs && newState?.inputs ? rotationDue(oldState.outputs, newState.inputs, new Date()) : [];
    // The native provider's detailed diff says which properties replace, even where replaceReasons is absent.
    const replaceReasons = [
      ...new Set(
        steps.flatMap((s) => [
          ...(s.replaceReasons ?? []),
          ...Object.entries(s.detailedDiff ?? {})
            .filter(([, d]) => d.kind.endsWith("-replace"))
            .map(([property]) => property),
        ]),
      ),
    ];
    const secretReasons = (operation === "update" ? rotating : replaceReasons).map((reason) => reasonText(reason, oldState?.outputs, exposure));
    if (exposure && operation !== "delete" && !secretReasons.includes(exposure)) {
      risks.push({ severity: "high", reason: `${exposure}; the secret is not being replaced: set rotation.onExposure or change rotation.trigger` });
    }
    const reduced =
      operation !== "delete" && operation !== "create" && removed.length > 0
        ? [`reduced access: ${removed.length} privilege${removed.length === 1 ? "" : "s"} removed`]
        : [];
    if (operation !== "delete" && operation !== "create" && scopesRemoved.length > 0)
      reduced.push(`reduced access: ${scopesRemoved.length} scope${scopesRemoved.length === 1 ? "" : "s"} removed`);
    // A NativeApiKey taking over a dynamic ApiKey (its alias): the state moves, the key does not change.
    const moved = oldState?.type === DYNAMIC_API_KEY_TYPE && newState?.type === NATIVE_API_KEY_TYPE;
    const movedNote = moved && operation === "update" ? ["moves to the native provider: same key, same secret"] : [];
    return {
      name,
      operation,
      environment,
      privilegesAdded: added,
      privilegesRemoved: removed,
      scopesAdded,
      scopesRemoved,
      scopeRisks,
      secretChanges: operation !== "update" || rotating.length > 0,
      secretReasons,
      ...(exposure ? { exposure } : {}),
      risks: [...risks].sort(mostSevereFirst),
      notes: [...movedNote, ...reduced, ...accepted, ...scoped.notes],
      replaceReasons,
    };
  });
}
