/** The operation a provider error happened in, as a user reads it in `pulumi up` output. */
export type KeyOperation = "create" | "read" | "update" | "delete" | "roll" | "adopt";

const VERBS: Record<KeyOperation, string> = {
  create: "creating",
  read: "reading",
  update: "updating",
  delete: "deleting",
  roll: "rolling",
  adopt: "adopting",
};

/**
 * A key API answered with an error, or could not be reached. The message names the key, the
 * operation, the status and the server's own message (and request id), never a secret or token.
 */
export class KeyApiError extends Error {
  readonly status?: number;
  readonly code?: string;
  readonly operation: KeyOperation;
  readonly keyLabel: string;
  readonly requestId?: string;
  readonly retryable: boolean;

  constructor(options: {
    operation: KeyOperation;
    keyLabel: string;
    status?: number;
    code?: string;
    serverMessage: string;
    requestId?: string;
    retryable: boolean;
    attempts?: number;
  }) {
    const status = options.status ? `${options.status}${options.code ? ` ${options.code}` : ""}: ` : "";
    const attempts = options.attempts && options.attempts > 1 ? ` after ${options.attempts} attempts` : "";
    const request = options.requestId ? ` (request ${options.requestId})` : "";
    super(`${VERBS[options.operation]} API key ${options.keyLabel} failed${attempts}: ${status}${options.serverMessage}${request}`);
    this.name = "KeyApiError";
    this.status = options.status;
    this.code = options.code;
    this.operation = options.operation;
    this.keyLabel = options.keyLabel;
    this.requestId = options.requestId;
    this.retryable = options.retryable;
  }
}
