import { z } from "zod";
import { isOneOf } from "../../shared/caught";

/**
 * Values read back from the database, checked against what the server writes there: a text column
 * that holds one of a few literals (an environment, a token scope, an audit action), or a JSON column
 * parsed with the schema of what was stored. A value that does not fit (a row edited by hand, a
 * database written by a newer version) fails naming where it was read, instead of passing on under a
 * type it does not have.
 */
export class StoredValueError extends Error {
  constructor(where: string, problem: string) {
    super(`${where} ${problem}`);
    this.name = "StoredValueError";
  }
}

/** One of `values`; `where` names the column and row (`keys.environment of key_...`). */
export function storedLiteral<T extends string>(values: readonly T[], value: string, where: string): T {
  if (isOneOf(values, value)) return value;
  throw new StoredValueError(where, `holds ${JSON.stringify(value)}, which is not one of ${values.join(", ")}`);
}

/** A JSON column's value, parsed with the schema of what the server stores in it. */
export function storedJson<S extends z.ZodType>(schema: S, text: string, where: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StoredValueError(where, "does not hold JSON");
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new StoredValueError(where, `does not hold what the server stores there: ${z.prettifyError(result.error)}`);
  return result.data;
}
