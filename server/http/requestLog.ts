import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "./apiError";

type Log = (line: Record<string, unknown>) => void;

/** The last millisecond a request line was logged at, and its ISO-8601 text. */
let loggedAtMs = NaN;
let loggedAtIso = "";

/** The time now as ISO-8601: made once per millisecond, which a busy server's lines share (it cost ~0.5 µs a line). */
function isoTimeNow(): string {
  const nowMs = Date.now();
  if (nowMs !== loggedAtMs) {
    loggedAtMs = nowMs;
    loggedAtIso = new Date(nowMs).toISOString();
  }
  return loggedAtIso;
}

/** The one line logged per answered request: who asked what and how it went, never a secret, token or body. */
export function requestLogLine(request: {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** `performance.now()` when the request arrived. */
  readonly started: number;
  readonly actor?: string;
}): Record<string, unknown> {
  return {
    time: isoTimeNow(),
    requestId: request.requestId,
    method: request.method,
    path: request.path,
    status: request.status,
    durationMs: Math.round((performance.now() - request.started) * 100) / 100,
    actor: request.actor,
  };
}

/**
 * A failure as the API answers it: an ApiError as it is, anything else as a 500 whose details go to
 * the log (under the request id the client sees), never to the client.
 */
export function errorAnswer(
  error: unknown,
  requestId: string,
  log: Log,
): { status: ContentfulStatusCode; headers: Record<string, string>; body: { error: { code: string; message: string; field?: string; requestId: string } } } {
  const apiError = error instanceof ApiError ? error : new ApiError(500, "INTERNAL", "internal error; retry, and report the requestId if it persists");
  if (!(error instanceof ApiError)) {
    const failure = error instanceof Error ? error : new Error(String(error));
    log({ time: new Date().toISOString(), requestId, level: "error", error: failure.name, message: failure.message });
  }
  return {
    status: apiError.status,
    headers: apiError.headers,
    body: { error: { code: apiError.code, message: apiError.message, ...(apiError.field ? { field: apiError.field } : {}), requestId } },
  };
}
