/**
 * A key was created but a follow-up step failed. Carrying `id` and `properties` makes Pulumi's
 * dynamic-provider host record the key in state as a partially created resource, so it is never
 * orphaned: the next `pulumi up` retries the follow-up (or replaces it) and `destroy` deletes it.
 */
export class PartialCreateError extends Error {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  readonly reasons: string[];

  constructor(id: string, properties: Record<string, unknown>, cause: Error) {
    super(`API key ${id} was created but not finished: ${cause.message}`);
    this.name = "PartialCreateError";
    this.id = id;
    this.properties = properties;
    this.reasons = [cause.message];
  }
}
