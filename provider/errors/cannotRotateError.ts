/**
 * A rotation is due but the key API cannot carry it out for this key (a backend that rotates in
 * place needs a credential the stack does not hold, e.g. for an adopted key). Nothing was changed.
 */
export class CannotRotateError extends Error {
  /** The key as messages name it (resource name and key id). */
  readonly keyLabel: string;

  constructor(keyLabel: string, reason: string, fix: string) {
    super(`rotating API key ${keyLabel} failed: ${reason}; ${fix}`);
    this.name = "CannotRotateError";
    this.keyLabel = keyLabel;
  }
}
