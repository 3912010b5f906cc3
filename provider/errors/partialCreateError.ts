/**
 * A key was created but a follow-up step failed. Carrying `id` and `properties` makes Pulumi's
 * dynamic-provider host record the key in state as a partially created resource (the native
 * provider sends the same as Pulumi's `ErrorResourceInitFailed` detail), so it is never orphaned:
 * the next `pulumi up` retries the follow-up and `destroy` deletes it.
 */
import { messageOf } from "../../shared/caught";

export class PartialCreateError extends Error {
  readonly id: string;
  readonly properties: Record<string, unknown>;
  /** What the engine prints for a partially created resource (it shows these, not the message). */
  readonly reasons: string[];

  constructor(id: string, properties: Record<string, unknown>, cause: unknown) {
    super(
      `API key ${id} was created but not finished: ${messageOf(cause)}; ` +
        "the key is recorded in the stack: the next `pulumi up` finishes it, `pulumi destroy` deletes it",
    );
    this.name = "PartialCreateError";
    this.id = id;
    this.properties = properties;
    this.reasons = [this.message];
  }
}
