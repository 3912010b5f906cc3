/**
 * Anything shaped like one of our secrets (a key `ak_live_…` / `ak_test_…`, an admin token `at_…`,
 * a root token `rt_…`), even cut short, as people paste them into URLs by mistake. Log lines pass
 * through here so a secret in a path never reaches the log.
 *
 * No leading word boundary: `_` is a word character, so `\b` let `key_ak_live_…` or `tok_at_…`
 * through whole. A key prefix is distinctive enough to match anywhere. `at_` and `rt_` also end
 * English words (`format_`, `start_`), so those two are not matched right after a letter: a token
 * glued to a letter is rare, a word like that in an error message is not.
 */
const CREDENTIAL = /(ak_(?:live|test)|(?<![A-Za-z])at|(?<![A-Za-z])rt)_[0-9A-Za-z]{6,}/g;

function redactCredentials(text: string): string {
  return text.replace(CREDENTIAL, "$1_[redacted]");
}

/** A log line with every string value redacted. */
export function redactLogLine(line: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(line)) out[name] = typeof value === "string" ? redactCredentials(value) : value;
  return out;
}

/**
 * Redacts exact secret values the server knows but cannot recognise by shape: the operator's root
 * token can be anything (`openssl rand -base64 32` prints letters, digits, `+`, `/` and `=`). Each is
 * also looked for percent-encoded (as in a request path), JSON-escaped, and as `redactCredentials`
 * leaves it (a line may have passed through it first, and a value that happens to contain `ak_live_…`
 * would otherwise be redacted only in part and then no longer match whole).
 * Returns the line itself when no value is given, so a server without such a secret pays nothing.
 */
export function knownSecretRedactor(secrets: readonly (string | undefined)[]): (line: Record<string, unknown>) => Record<string, unknown> {
  const forms = [
    ...new Set(
      secrets
        .filter((s): s is string => s !== undefined && s.length > 0)
        .flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])
        .flatMap((s) => [s, redactCredentials(s)]),
    ),
  ];
  if (forms.length === 0) return (line) => line;
  return (line) => {
    let out: Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(line)) {
      if (typeof value !== "string") continue;
      let redacted = value;
      for (const form of forms) if (redacted.includes(form)) redacted = redacted.split(form).join("[redacted]");
      if (redacted !== value) (out ??= { ...line })[name] = redacted;
    }
    return out ?? line;
  };
}
