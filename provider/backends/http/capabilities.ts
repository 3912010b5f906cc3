import { MAX_GRACE_PERIOD_SECONDS } from "../../../shared/limits";
import type { KeyField } from "../keyBackend";
import type { KeyApiDescription } from "./description";
import type { LoadedDescription } from "./load";
import { placeholdersOf } from "./template";

/** The key fields a description can send or read (a subset of the ApiKey's key fields). */
const DESCRIBED_FIELDS = ["displayName", "description", "enabled", "scopes", "expiresAt"] as const satisfies readonly KeyField[];

/** What a described API can do, read off its description: the part of a backend descriptor that varies per file. */
export interface DescribedCapabilities {
  readonly supportedInputs: readonly string[];
  readonly unsupportedHints: Readonly<Record<string, string>>;
  readonly canDisable: boolean;
  readonly updatableFields: ReadonlySet<KeyField>;
  /** Fields the API neither takes nor answers: the stack keeps them, and a change to one updates only the state. */
  readonly keptInStack: ReadonlySet<KeyField>;
  readonly rollsInPlace: boolean;
  readonly graceKeptBy: "api" | "stack";
  readonly reportsLastUse: boolean;
  readonly maxGracePeriodSeconds: number;
}

/** The placeholders the create body sends. */
function sentAtCreate(description: KeyApiDescription): ReadonlySet<string> {
  return new Set(placeholdersOf(description.create.body));
}

export function describedCapabilities({ file, description }: LoadedDescription): DescribedCapabilities {
  const sent = sentAtCreate(description);
  const inPlace = new Set<string>(description.update?.fields ?? []);
  const answered = (field: string) => Object.hasOwn(description.answer, field) || Object.hasOwn(description.read.answer ?? {}, field);
  const keptInStack = new Set<KeyField>(DESCRIBED_FIELDS.filter((field) => field !== "enabled" && !sent.has(field) && !answered(field)));
  const lifetime = sent.has("lifetimeSeconds") || sent.has("lifetimeMilliseconds");
  const expiresAt = sent.has("expiresAt");
  const roll = description.roll;
  const rollKeepsGrace = roll !== undefined && placeholdersOf(roll.body).includes("gracePeriodSeconds");

  const supportedInputs = [
    ...(sent.has("scopes") ? ["scopes"] : []),
    ...(expiresAt ? ["expiresAt"] : []),
    ...(lifetime ? ["lifetime"] : []),
    ...(lifetime && answered("expiresAt") ? ["rotation.renewBeforeExpiry"] : []),
    ...(roll ? ["rotation.rollOnAdopt"] : []),
  ];
  const where = `the key API description ${file}`;
  const unsupportedHints: Record<string, string> = {
    environment: `has no counterpart in a described API (${where}); remove it`,
    privileges: `cannot be sent to a described API; list what the key may do in scopes (strings, as the API spells them) where ${where} sends {scopes}`,
    scopes: `is not sent by ${where} (its create.body has no "{scopes}"); add it where the API takes the key's scopes, or remove scopes`,
    expiresAt: lifetime
      ? `is not sent by ${where}: the API takes a relative lifetime (create.body has {lifetimeSeconds}); use lifetime (an ISO-8601 duration such as P30D) instead`
      : `is not sent by ${where} (its create.body has no "{expiresAt}"); add it, or remove expiresAt`,
    lifetime: `is not sent by ${where} (its create.body has no "{lifetimeSeconds}" or "{lifetimeMilliseconds}"); add one, or remove lifetime`,
    "rotation.renewBeforeExpiry": `needs lifetime sent (create.body "{lifetimeSeconds}") and answer.expiresAt in ${where}`,
    "rotation.rollOnAdopt": `cannot be done: ${where} has no roll, so an adopted key cannot get a new secret; remove adoptKeyId to create a key instead`,
    enabled: `cannot disable a key: ${where} sends no {enabled} (in create.body, or update.fields); remove enabled: false`,
  };
  return {
    supportedInputs,
    unsupportedHints,
    canDisable: sent.has("enabled") || inPlace.has("enabled"),
    // Fields the stack alone keeps change in place too: only the state changes.
    updatableFields: new Set<KeyField>([...DESCRIBED_FIELDS.filter((field) => inPlace.has(field)), ...keptInStack]),
    keptInStack,
    rollsInPlace: roll !== undefined,
    // Without a roll a rotation makes a successor, and the stack deletes the old key after the grace
    // (pendingRevocations); with one, the API decides how long the old secret works.
    graceKeptBy: roll ? "api" : "stack",
    reportsLastUse: answered("lastUsedAt"),
    // A roll whose body cannot carry the grace ends the old secret at once: check refuses a grace then.
    maxGracePeriodSeconds: roll && !rollKeepsGrace ? 0 : MAX_GRACE_PERIOD_SECONDS,
  };
}
