// What a `catch` receives is `unknown`: these read it without a cast, for every package (provider,
// server, review, policy, console), so no caller writes `error as Error`.

/** What a caught value says: an Error's message (or any thrown object's `message`), else the value as text. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return ownMessageOf(error) ?? String(error);
}

/** A caught value's own `message` when it has a string one, else undefined (a message-less AggregateError has ""). */
export function ownMessageOf(value: unknown): string | undefined {
  return value !== null && typeof value === "object" && "message" in value && typeof value.message === "string" ? value.message : undefined;
}

/** A Node.js system error's code (`ENOENT`, `ECONNREFUSED`...), when the caught value has one. */
export function errorCodeOf(error: unknown): string | undefined {
  return error !== null && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

/** Narrows a value to one of a fixed list of literals (`isOneOf(FORMATS, value)`), instead of `value as Format`. */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return values.some((candidate) => candidate === value);
}
