import { z } from "zod";
import { isShorterThan, LIFETIME_WITH_EXPIRY } from "../../shared/isoDuration";
import { normalizePrivileges } from "../../shared/privilege";
import { SHARED_OPTIONAL_INPUTS, type BackendDescriptor } from "../backends/backendDescriptor";
import { backendInputFields, backendNamed, backendsSupporting } from "../backends/registry";
import { apiKeyInputsSchema, type ApiKeyInputs } from "./inputs";
import { containsUnknown } from "./unknowns";
import { fieldOf } from "../records";

/** One reason the inputs are not acceptable, in Pulumi's CheckFailure shape. */
export interface InputFailure {
  readonly property: string;
  readonly reason: string;
}

export interface CheckedInputs {
  /**
   * The inputs with defaults applied and normalized; when `failures` is empty they are an
   * `ApiKeyInputs` (a preview's values not known yet pass through as the engine's placeholders).
   */
  readonly inputs: ApiKeyInputs;
  readonly failures: InputFailure[];
}

/** `privileges[0].owner` rather than `privileges.0.owner`: the way the property reads in code. */
function propertyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), "");
}

function failuresOf(error: z.ZodError): InputFailure[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const at = propertyPath(issue.path);
      return {
        property: at ? `${at}.${issue.keys[0]}` : issue.keys[0],
        reason: `unknown property "${issue.keys.join('", "')}"; remove it or check its spelling`,
      };
    }
    return { property: propertyPath(issue.path), reason: issue.message };
  });
}

/** The input schema, built on the first check and kept (see checkApiKeyInputs). */
let inputsSchema: ReturnType<typeof apiKeyInputsSchema> | undefined;

/** A declared value that asks for something (an empty list or object asks for nothing). */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/** The inputs some backend may lack: the shared optional ones, then every backend's own. */
let optionalInputs: readonly string[] | undefined;
function optionalInputNames(): readonly string[] {
  return (optionalInputs ??= [...SHARED_OPTIONAL_INPUTS, ...Object.keys(backendInputFields())]);
}

function declaredValue(declared: Record<string, unknown>, property: string): unknown {
  const [head, tail] = property.split(".");
  const value = declared[head];
  return tail ? fieldOf(value, tail) : value;
}

/** Why `property` is refused on `backend`: its own hint, or the backends that do have it. */
function unsupportedReason(backend: string, property: string, descriptor: BackendDescriptor): string {
  const hint = descriptor.unsupportedHints?.[property];
  if (hint) return `the ${backend} backend does not support ${property}: it ${hint}`;
  const others = backendsSupporting(property);
  const where = others.length === 1 ? `a setting of the ${others[0]} backend` : `a setting of the ${others.join(", ")} backends`;
  return `the ${backend} backend does not support ${property}: it is ${where}; remove it, or set connection.backend to "${others[0]}"`;
}

/** A lifetime and the renewal window must agree with each other and with a fixed expiry. */
function lifetimeFailures(inputs: ApiKeyInputs, unknownNames: readonly string[], now: Date): InputFailure[] {
  if (unknownNames.includes("lifetime") || unknownNames.includes("rotation") || unknownNames.includes("expiresAt")) return [];
  const window = inputs.rotation?.renewBeforeExpiry;
  if (inputs.lifetime !== undefined && inputs.expiresAt !== undefined) {
    return [{ property: "lifetime", reason: `${LIFETIME_WITH_EXPIRY}; remove one of them` }];
  }
  if (window === undefined) return [];
  if (inputs.lifetime === undefined) {
    return [
      {
        property: "rotation.renewBeforeExpiry",
        reason: "needs lifetime: a key renewed before a fixed expiresAt would get the same date again; set lifetime (e.g. P90D) instead of expiresAt",
      },
    ];
  }
  if (!isShorterThan(window, inputs.lifetime, now)) {
    return [
      {
        property: "rotation.renewBeforeExpiry",
        reason: `must be shorter than lifetime (${inputs.lifetime}): a window of ${window} would renew the key as soon as it is made`,
      },
    ];
  }
  return [];
}

/**
 * An adopted key gets a new secret by a roll in place; on an API that cannot roll, a rotation would
 * replace it, which re-adopts the same key and then deletes it. Refused before that can happen.
 */
function adoptionFailures(olds: Record<string, unknown>, declared: Record<string, unknown>, backend: string, descriptor?: BackendDescriptor): InputFailure[] {
  const rotation = declared.rotation ?? {};
  if (!declared.adoptKeyId) {
    return fieldOf(rotation, "rollOnAdopt") === true
      ? [{ property: "rotation.rollOnAdopt", reason: "only applies with adoptKeyId; remove it, or set adoptKeyId to the key to take over" }]
      : [];
  }
  if (!descriptor || descriptor.rollsInPlace || containsUnknown(rotation)) return [];
  const triggerChanges = olds.adoptKeyId === declared.adoptKeyId && (fieldOf(olds.rotation, "trigger") ?? "") !== (fieldOf(rotation, "trigger") ?? "");
  const scheduled = ["rotateAfterDays", "renewBeforeExpiry", "onExposure"].filter(
    (name) => fieldOf(rotation, name) !== undefined && fieldOf(rotation, name) !== false,
  );
  return [...(triggerChanges ? ["trigger"] : []), ...scheduled].map((name) => ({
    property: `rotation.${name}`,
    reason: `the ${backend} backend cannot give an adopted key a new secret, and replacing it would delete the key: remove adoptKeyId in the same change, so the stack makes a key of its own and the adopted one is deleted after gracePeriodSeconds`,
  }));
}

/** Inputs the chosen key API has no counterpart for, and grace periods longer than it can keep. */
function backendFailures(declared: Record<string, unknown>, backend: string, descriptor?: BackendDescriptor): InputFailure[] {
  // An unknown name is refused by the schema (connection.backend) or by the connection's resolution.
  if (!descriptor) return [];
  const failures: InputFailure[] = [];
  const supported: readonly string[] = descriptor.supportedInputs;
  for (const property of optionalInputNames()) {
    if (supported.includes(property)) continue;
    const value = declaredValue(declared, property);
    if (isSet(value) && !containsUnknown(value)) failures.push({ property, reason: unsupportedReason(backend, property, descriptor) });
  }
  if (descriptor.canDisable === false && declared.enabled === false)
    failures.push({
      property: "enabled",
      reason: `the ${backend} backend cannot disable a key: it ${descriptor.unsupportedHints?.enabled ?? "has no disabled keys; remove enabled: false"}`,
    });
  const grace = fieldOf(declared.rotation, "gracePeriodSeconds");
  if (typeof grace === "number" && grace > descriptor.maxGracePeriodSeconds) {
    failures.push({
      property: "rotation.gracePeriodSeconds",
      reason:
        descriptor.maxGracePeriodSeconds === 0
          ? `the ${backend} backend deletes an old key at once and cannot keep it working; set gracePeriodSeconds to 0 or remove it`
          : `the ${backend} backend keeps an old key working for at most ${descriptor.maxGracePeriodSeconds} seconds; lower gracePeriodSeconds`,
    });
  }
  return failures;
}

/**
 * What check hands on, typed as the inputs the hooks take. They are ApiKeyInputs when there is no
 * failure and every value is known: zod checked each known value and applied its default. A preview's
 * placeholders (values not known yet) pass through as the engine gave them, and so do the values of
 * a failed check, which the engine shows with the failures and never passes to a hook.
 */
function asCheckedInputs(values: Record<string, unknown>): ApiKeyInputs {
  // The one cast of `check`, for the two cases above: no schema can say "checked, or a placeholder".
  return values as ApiKeyInputs;
}

/**
 * Validates and normalizes an ApiKey's inputs without any API call. Properties whose value is not
 * known yet (preview) pass through unchecked; everything else is checked and given its default.
 * `expiresAt` must be in the future only when it changes, so a key that reached its declared
 * expiry does not block every later preview.
 */
export function checkApiKeyInputs(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  now: Date,
  backend = "reference",
  // The backend's descriptor, or the one its connection resolves to (a described API's, from its file).
  descriptor: BackendDescriptor | undefined = backendNamed(backend),
): CheckedInputs {
  // Safe to keep at module scope: the serialized provider loads this module by name instead of capturing it.
  const schema = (inputsSchema ??= apiKeyInputsSchema());
  const declared = Object.fromEntries(Object.entries(news).filter(([name]) => !name.startsWith("__")));
  const unknownNames = Object.keys(declared).filter((name) => containsUnknown(declared[name]));
  // A schema of the known properties only: built only in a preview with values not known yet.
  const knownSchema =
    unknownNames.length === 0 ? schema : z.object(Object.fromEntries(Object.entries(schema.shape).filter(([name]) => !unknownNames.includes(name)))).strict();
  const known = Object.fromEntries(Object.entries(declared).filter(([name]) => !unknownNames.includes(name)));
  const result = knownSchema.safeParse(known);
  if (!result.success) return { inputs: asCheckedInputs(news), failures: failuresOf(result.error) };

  const inputs: Record<string, unknown> = { ...news, ...result.data };
  const failures: InputFailure[] = [...backendFailures(declared, backend, descriptor), ...adoptionFailures(olds, declared, backend, descriptor)];
  // A default for a property the backend does not have would be stored and shown as if it meant something.
  const supported: readonly string[] = descriptor?.supportedInputs ?? optionalInputNames();
  for (const property of optionalInputNames())
    if (!supported.includes(property) && !property.includes(".") && declared[property] === undefined) delete inputs[property];
  // An unset optional input must not be stored as an explicit undefined/null (it would show as a diff).
  for (const [name, value] of Object.entries(inputs)) if (value === undefined || value === null) delete inputs[name];
  const checked = asCheckedInputs(inputs);
  // Not a list when it is a preview's placeholder for a list not known yet.
  if (Array.isArray(checked.privileges)) checked.privileges = normalizePrivileges(checked.privileges);
  failures.push(...lifetimeFailures(checked, unknownNames, now));
  const expiresAt = checked.expiresAt;
  if (typeof expiresAt === "string" && !unknownNames.includes("expiresAt") && expiresAt !== olds.expiresAt && Date.parse(expiresAt) <= now.getTime()) {
    failures.push({ property: "expiresAt", reason: `${expiresAt} is in the past; set a future date-time or remove expiresAt` });
  }
  return { inputs: checked, failures };
}
