// What a `catch` receives is `unknown`: these read it without a cast, for every package (provider,
// server, review, policy, console), so no caller writes `error as Error`.

/** What a caught value says: an Error's message (or any thrown object's `message`), else the value as text. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === "object" && "message" in error && typeof error.message === "string") return error.message;
  return String(error);
}

/** A Node.js system error's code (`ENOENT`, `ECONNREFUSED`...), when the caught value has one. */
export function errorCodeOf(error: unknown): string | undefined {
  return error !== null && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

/** Narrows a value to one of a fixed list of literals (`isOneOf(FORMATS, value)`), instead of `value as Format`. */
export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return values.some((candidate) => candidate === value);
}
