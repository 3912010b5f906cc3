/**
 * A key in the stack's state no longer exists on the key API (deleted out of band) when `up`
 * tries to change it. A refresh records that it is gone, so the next `up` creates it again.
 */
export class KeyGoneError extends Error {
  /** As a key API answers a missing key. */
  readonly status = 404;
  /** The key as messages name it (resource name and key id). */
  readonly keyLabel: string;

  constructor(keyLabel: string) {
    super(`updating API key ${keyLabel} failed: it no longer exists on the key API; run \`pulumi refresh\` so the next \`pulumi up\` creates it again`);
    this.name = "KeyGoneError";
    this.keyLabel = keyLabel;
  }
}
