/**
 * Pulumi's wire encoding of a secret inside a Struct: `{ "<sig key>": "<secret sig>", value }`. A
 * provider that says it accepts secrets receives them this way and returns its secret outputs so.
 */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };

/**
 * Where a secret sits in a property tree: object keys from the top. A path never goes into an
 * array: a secret anywhere inside one marks the whole array (the hooks may reorder or normalize
 * its items, so an index would point at another item than the one the user marked).
 */
export type SecretPath = readonly string[];

/** Whether a wire value is a secret wrapper. */
export function isSecret(value: WireValue): value is { [key: string]: WireValue } {
  return value !== null && typeof value === "object" && !Array.isArray(value) && value[SIG_KEY] === SECRET_SIG;
}

/** The value with every secret wrapper removed (our hooks see plain values; the engine keeps them secret). */
export function revealed(value: WireValue): WireValue {
  if (isSecret(value)) return revealed(value.value ?? null);
  if (Array.isArray(value)) return value.map(revealed);
  if (value !== null && typeof value === "object") return revealedFields(value);
  return value;
}

/** An object's values with every secret wrapper removed: what `revealed` makes of an object, typed as one. */
export function revealedFields(fields: { readonly [key: string]: WireValue }): { [key: string]: WireValue } {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, revealed(v)]));
}

function holdsSecret(value: WireValue): boolean {
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (isSecret(value)) return true;
  const fields: { readonly [key: string]: WireValue } = value;
  for (const key of Object.keys(fields)) if (holdsSecret(fields[key] ?? null)) return true;
  return false;
}

/**
 * Every place a secret arrived in `fields` (the engine's wire values): what the answer must mark
 * secret again. A provider that accepts secrets is trusted by the engine to return them marked;
 * a value it returns unmarked is stored in plain text (inputs, outputs, backups, history).
 */
export function secretPaths(fields: { readonly [key: string]: WireValue }, prefix: SecretPath = []): SecretPath[] {
  const paths: SecretPath[] = [];
  for (const [key, value] of Object.entries(fields)) {
    const path = [...prefix, key];
    if (isSecret(value) || (Array.isArray(value) && value.some(holdsSecret))) paths.push(path);
    else if (value !== null && typeof value === "object" && !Array.isArray(value)) paths.push(...secretPaths(value, path));
  }
  return paths;
}

export function secretValue<T>(value: T): { [SIG_KEY]: string; value: T } {
  return { [SIG_KEY]: SECRET_SIG, value };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(SIG_KEY in value);
}

/**
 * The object with the value at each path marked secret. Where a path no longer leads to a value of
 * the same shape (a hook replaced an object by a scalar), the property at the deepest level that
 * still exists is marked instead: a secret is never returned unmarked because its shape changed.
 */
export function withSecretPaths(object: Readonly<Record<string, unknown>>, paths: readonly SecretPath[]): Record<string, unknown> {
  let out: Record<string, unknown> = { ...object };
  for (const path of paths) out = markedAt(out, path);
  return out;
}

function markedAt(object: Record<string, unknown>, path: SecretPath): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined || !Object.hasOwn(object, head)) return object;
  const value = object[head];
  if (value === undefined || value === null) return object;
  if (rest.length > 0 && isPlainObject(value)) return { ...object, [head]: markedAt(value, rest) };
  // Already marked (a secret inside a secret adds nothing), or the path ends here.
  if (!isPlainObject(value) && typeof value === "object" && SIG_KEY in value) return object;
  return { ...object, [head]: secretValue(value) };
}
