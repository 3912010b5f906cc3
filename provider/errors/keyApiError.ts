import { redactUrl } from "./redactUrl";

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

/** What a KeyApiError is made from. */
export interface KeyApiErrorOptions {
  /** The operation that failed. */
  readonly operation: KeyOperation;
  /** The key as messages name it (resource name and key id). */
  readonly keyLabel: string;
  /** The API's HTTP status; absent when it could not be reached. */
  readonly status?: number;
  /** The API's own error code, when it gives one. */
  readonly code?: string;
  /** What the API said (its URLs are redacted); never a secret or token. */
  readonly serverMessage: string;
  /** The API's request id, for its support. */
  readonly requestId?: string;
  /** Whether trying again may succeed (a 429, a 5xx, a network error). */
  readonly retryable: boolean;
  /** How many attempts were made before giving up. */
  readonly attempts?: number;
  /** What to do about it, when the caller knows more than the HTTP client (see `withSavedSettingsAdvice`). */
  readonly advice?: string;
}

/**
 * A key API answered with an error, or could not be reached. The message names the key, the
 * operation, the status and the server's own message (and request id), never a secret or token.
 * Every URL in the server's message is redacted (`redactUrl`): the one place the endpoint, which
 * may carry `user:password@` or `?token=`, reaches a message, whoever built the text.
 */
export class KeyApiError extends Error {
  /** The API's HTTP status; absent when it could not be reached. */
  readonly status?: number;
  /** The API's own error code, when it gives one. */
  readonly code?: string;
  /** The operation that failed. */
  readonly operation: KeyOperation;
  /** The key as messages name it (resource name and key id). */
  readonly keyLabel: string;
  /** The API's request id, for its support. */
  readonly requestId?: string;
  /** Whether trying again may succeed (a 429, a 5xx, a network error). */
  readonly retryable: boolean;
  /** What to do about it, appended to the message. */
  readonly advice?: string;
  private readonly options: KeyApiErrorOptions;

  constructor(given: KeyApiErrorOptions) {
    // Kept redacted too: `options` is a property, shown by util.inspect and copied by withAdvice.
    const options = { ...given, serverMessage: redactUrl(given.serverMessage) };
    const status = options.status ? `${options.status}${options.code ? ` ${options.code}` : ""}: ` : "";
    const attempts = options.attempts && options.attempts > 1 ? ` after ${options.attempts} attempts` : "";
    const request = options.requestId ? ` (request ${options.requestId})` : "";
    const advice = options.advice ? `; ${options.advice}` : "";
    super(`${VERBS[options.operation]} API key ${options.keyLabel} failed${attempts}: ${status}${options.serverMessage}${request}${advice}`);
    this.name = "KeyApiError";
    this.status = options.status;
    this.code = options.code;
    this.operation = options.operation;
    this.keyLabel = options.keyLabel;
    this.requestId = options.requestId;
    this.retryable = options.retryable;
    this.advice = options.advice;
    this.options = options;
  }

  /** The same failure with what to do about it appended to the message. */
  withAdvice(advice: string): KeyApiError {
    return new KeyApiError({ ...this.options, advice });
  }
}
