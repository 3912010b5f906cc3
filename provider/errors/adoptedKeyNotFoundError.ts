/** `adoptKeyId` names a key the key API does not have: nothing was changed, and nothing was created. */
export class AdoptedKeyNotFoundError extends Error {
  /** The input to correct. */
  readonly setting = "adoptKeyId";
  readonly status = 404;
  readonly keyId: string;

  constructor(keyId: string, organizationId: string) {
    super(`adoptKeyId: key ${keyId} does not exist in organization ${organizationId}; check the id or remove adoptKeyId to create a new key`);
    this.name = "AdoptedKeyNotFoundError";
    this.keyId = keyId;
  }
}
