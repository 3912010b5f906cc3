/**
 * Anything shaped like one of our secrets (a key `ak_live_…` / `ak_test_…`, an admin token `at_…`,
 * a root token `rt_…`), even cut short, as people paste them into URLs by mistake. Log lines pass
 * through here so a secret in a path never reaches the log.
 */
const CREDENTIAL = /\b(ak_(?:live|test)|at|rt)_[0-9A-Za-z]{6,}/g;

export function redactCredentials(text: string): string {
  return text.replace(CREDENTIAL, "$1_[redacted]");
}

/** A log line with every string value redacted. */
export function redactLogLine(line: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(line)) out[name] = typeof value === "string" ? redactCredentials(value) : value;
  return out;
}
