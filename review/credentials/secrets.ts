/**
 * Secret values in `pulumi stack export`: `{sig, ciphertext}`, or `{sig, plaintext}` (the value's
 * JSON as a string) in an export made with --show-secrets (pkg/resource/stack/deployment.go).
 *
 * Every walk here is a loop over an explicit stack, not a recursion: an output nested thousands of
 * levels deep (JSON.parse reads any depth) must not overflow the call stack of the report.
 */

/** The signature key and value Pulumi marks a secret value with in state (sdk/go/common/resource/sig). */
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isSecretValue(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && SECRET_SIG_KEY in value && value[SECRET_SIG_KEY] === SECRET_SIG;
}

/**
 * What a secret value becomes in the report: never its ciphertext, never its plaintext. One object,
 * told apart by identity (a string such as "[secret]" could be a real description); JSON shows it as
 * "[secret]".
 */
export const SECRET_PLACEHOLDER: { readonly toJSON: () => string } = Object.freeze({ toJSON: () => "[secret]" });

/** The value a --show-secrets export holds for a secret, or undefined (ciphertext, or a plaintext that is not JSON). */
function plaintextOf(secret: Record<string, unknown>): { value: unknown } | undefined {
  if (typeof secret.plaintext !== "string") return undefined;
  try {
    return { value: JSON.parse(secret.plaintext) };
  } catch {
    return undefined;
  }
}

/** Own enumerable property, even one named `__proto__` (JSON.parse makes those; `copy[key] =` would set the prototype). */
function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * A copy of `value` with every secret replaced by SECRET_PLACEHOLDER, or with `reveal` by the value
 * its plaintext holds (still never a ciphertext). The report cleans the outputs before anything
 * reads them, revealing only the fields it reads of an ApiKey: no later step (or formatter) can
 * reach a ciphertext, nor the plaintext of the key's own secret.
 */
function withoutSecrets(value: unknown, options: { readonly reveal?: boolean } = {}): unknown {
  const root: { value?: unknown } = {};
  const work: Array<{ readonly value: unknown; readonly put: (copy: unknown) => void }> = [{ value, put: (copy) => (root.value = copy) }];
  for (let item = work.pop(); item; item = work.pop()) {
    const { value: source, put } = item;
    if (isSecretValue(source)) {
      const shown = options.reveal ? plaintextOf(source) : undefined;
      // A plaintext may hold secrets itself: it goes round again.
      if (shown) work.push({ value: shown.value, put });
      else put(SECRET_PLACEHOLDER);
    } else if (Array.isArray(source)) {
      const copy: unknown[] = new Array<unknown>(source.length);
      put(copy);
      source.forEach((element, index) => work.push({ value: element, put: (c) => (copy[index] = c) }));
    } else if (typeof source === "object" && source !== null) {
      const copy = {};
      put(copy);
      for (const [key, element] of Object.entries(source)) {
        // Defined now, in the source's order; filled when its turn comes.
        define(copy, key, undefined);
        work.push({ value: element, put: (c) => define(copy, key, c) });
      }
    } else put(source);
  }
  return root.value;
}

/** Whether `value` is, or holds, SECRET_PLACEHOLDER. */
export function holdsPlaceholder(value: unknown): boolean {
  return someValue(value, (v) => v === SECRET_PLACEHOLDER);
}

/** Whether `value` holds a decrypted secret (an export made with --show-secrets). */
export function holdsPlaintext(value: unknown): boolean {
  return someValue(value, (v) => isSecretValue(v) && "plaintext" in v);
}

/** Whether `test` holds for `value` or anything in it; a secret value is not looked into. */
function someValue(value: unknown, test: (v: unknown) => boolean): boolean {
  const work: unknown[] = [value];
  for (let next = work.length; next > 0; next = work.length) {
    const v = work.pop();
    if (test(v)) return true;
    if (isSecretValue(v)) continue;
    // One push each: a spread of a very long array would pass more arguments than a call takes.
    if (typeof v === "object" && v !== null) for (const element of Array.isArray(v) ? v : Object.values(v)) work.push(element);
  }
  return false;
}

/**
 * An ApiKey's outputs for the report: each of `readFields` revealed where the export shows it, every
 * other secret a placeholder. Outputs that are one secret as a whole (never written by the provider,
 * but state can hold it) are revealed the same way, or read as each field a secret.
 */
export function cleanKeyOutputs(outputs: Record<string, unknown>, readFields: readonly string[]): Record<string, unknown> {
  const secretFields = () => Object.fromEntries(readFields.map((field) => [field, SECRET_PLACEHOLDER]));
  let whole: unknown = outputs;
  let revealed = false;
  while (isSecretValue(whole)) {
    const shown = readFields.length > 0 ? plaintextOf(whole) : undefined;
    if (!shown) return secretFields();
    whole = shown.value;
    revealed = true;
  }
  if (typeof whole !== "object" || whole === null || Array.isArray(whole)) return secretFields();
  // Of outputs revealed as a whole, every field but those read stays a secret (the key's own among them).
  return Object.fromEntries(
    Object.entries(whole).map(([key, value]) => [
      key,
      revealed && !readFields.includes(key) ? SECRET_PLACEHOLDER : withoutSecrets(value, { reveal: readFields.includes(key) }),
    ]),
  );
}
