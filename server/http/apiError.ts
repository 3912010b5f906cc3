import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Machine-readable error codes the key API answers with, one per distinct thing a client can do about it. */
export type ApiErrorCode =
  | "BAD_REQUEST"
  | "NOT_CONFIGURED"
  | "VALIDATION_FAILED"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "CONFLICT"
  | "IDEMPOTENCY_KEY_REUSED"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "INTERNAL";

/**
 * An error the server answers with `{error: {code, message, field?, requestId}}`.
 * Messages are written for the person reading them and never carry a secret or a token.
 */
export class ApiError extends Error {
  /** A status that carries a body, as Hono's `c.json` takes it. */
  readonly status: ContentfulStatusCode;
  readonly code: ApiErrorCode;
  readonly field?: string;
  readonly headers: Record<string, string>;

  constructor(status: ContentfulStatusCode, code: ApiErrorCode, message: string, options: { field?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.headers = options.headers ?? {};
  }

  static notFound(what: string): ApiError {
    return new ApiError(404, "NOT_FOUND", `${what} was not found`);
  }

  static validation(field: string, message: string): ApiError {
    return new ApiError(400, "VALIDATION_FAILED", `${field}: ${message}`, { field });
  }
}
