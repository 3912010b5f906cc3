/**
 * Pulumi's wire encoding of a secret inside a Struct: `{ "<sig key>": "<secret sig>", value }`. A
 * provider that says it accepts secrets receives them this way and returns its secret outputs so.
 */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };

function isSecret(value: WireValue): value is { [key: string]: WireValue } {
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

export function secretValue<T>(value: T): { [SIG_KEY]: string; value: T } {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** The object with the named top-level properties marked secret, when present. */
export function withSecrets(object: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, unknown> {
  const out = { ...object };
  for (const name of names) if (out[name] !== undefined && out[name] !== null) out[name] = secretValue(out[name]);
  return out;
}
