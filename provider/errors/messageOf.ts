/** What a caught value says: an Error's message (or any thrown object's `message`), else the value as text. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === "object" && "message" in error && typeof error.message === "string") return error.message;
  return String(error);
}

/** A Node.js system error's code (`ECONNREFUSED`, `ETIMEDOUT`...), when the caught value has one. */
export function errorCodeOf(error: unknown): string | undefined {
  return error !== null && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : undefined;
}
