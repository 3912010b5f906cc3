// Typed reads of plain objects and const tables, so provider code walks them without a cast.

/** A non-null object that is not an array: a JSON object, a record of named values. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** An object's own properties, as the plain record the checks read (values not validated yet). */
export function fieldsOf(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value));
}

/** A property of a value that may not be an object at all (an engine's placeholder, a string): undefined then. */
export function fieldOf(value: unknown, name: string): unknown {
  return isRecord(value) ? value[name] : undefined;
}

/** The keys of a const table (`keysOf(BACKENDS)`) as its key type, which `Object.keys` widens to `string`. */
export function keysOf<T extends object>(table: T): Extract<keyof T, string>[] {
  return Object.keys(table).filter((key): key is Extract<keyof T, string> => Object.hasOwn(table, key));
}
