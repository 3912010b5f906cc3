import type { IncomingMessage, ServerResponse } from "node:http";
import { newId } from "../ids";
import type { KeyVerifier, VerifyAnswer } from "../verify/keyVerifier";
import type { ClientAddressResolver } from "./clientAddress";
import { errorAnswer, requestLogLine } from "./requestLog";

/** What the fast path answers with: the shared verifier and address resolver, and the two logs. */
export interface FastWhoamiOptions {
  readonly verifier: KeyVerifier;
  readonly clientAddress: ClientAddressResolver;
  /** The server's log with redaction, for failures (their messages are not ours to trust). */
  readonly log: (line: Record<string, unknown>) => void;
  /**
   * The log without redaction, for the request line: every value in it is the server's own (its id,
   * the constant method and path, status, time), so scanning it for pasted secrets finds nothing
   * and cost a microsecond per verification.
   */
  readonly logRequest: (line: Record<string, unknown>) => void;
}

type NodeListener = (incoming: IncomingMessage, outgoing: ServerResponse) => void | Promise<void>;

/** The headers of a 401 or an error answer (the 200's are written out below, without a copy). */
const HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } as const;

/**
 * `GET /v1/whoami` answered straight from Node's request, before Hono: a verification is the one
 * call a service makes on every request it serves, and building the fetch Request, the Context and
 * the middleware chain cost more than the verification itself (bench: 0.44× a bare node:http server
 * through Hono). It answers exactly what the Hono route answers, through the same KeyVerifier (same
 * limits, same cache), with the same request id, security headers and log line; every other request,
 * and any variant of this one (a query string, HEAD), goes to Hono.
 *
 * A key served from the verify cache is answered synchronously, start to end (no promise): the
 * verifier only hands back a promise when it reads the database or records a use.
 */
export function withFastWhoami(next: NodeListener, options: FastWhoamiOptions): NodeListener {
  return (incoming, outgoing) => {
    if (incoming.method !== "GET" || incoming.url !== "/v1/whoami") return next(incoming, outgoing);
    return answerWhoami(incoming, outgoing, options);
  };
}

function answerWhoami(incoming: IncomingMessage, outgoing: ServerResponse, options: FastWhoamiOptions): void | Promise<void> {
  const started = performance.now();
  const requestId = newId("req");
  const headers = incoming.headers;
  let answer: VerifyAnswer | Promise<VerifyAnswer>;
  try {
    answer = options.verifier.answer({
      authorization: first(headers.authorization),
      apiKey: first(headers["x-api-key"]),
      clientId: first(headers["x-client-id"]),
      clientAddress: options.clientAddress.resolve(incoming.socket.remoteAddress, (name) => first(headers[name])),
    });
  } catch (error) {
    return sendError(outgoing, error, requestId, started, options);
  }
  if (answer instanceof Promise) {
    return answer.then(
      (settled) => send(outgoing, settled, requestId, started, options),
      (error: unknown) => sendError(outgoing, error, requestId, started, options),
    );
  }
  send(outgoing, answer, requestId, started, options);
}

/** A header Node joined into an array (it does so only for a few, such as set-cookie): its first value. */
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function send(outgoing: ServerResponse, answer: VerifyAnswer, requestId: string, started: number, options: FastWhoamiOptions): void {
  if (answer.status === 200) {
    // A literal, not a spread of HEADERS: copying the constant object per answer cost a microsecond.
    // With its length, as the routed answer has: without it Node sends the answer chunked (more
    // pieces to write, and an answer that differs from the routed one's).
    outgoing.writeHead(200, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(answer.json),
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "X-Request-ID": requestId,
    });
    outgoing.end(answer.json);
  } else {
    const body = JSON.stringify({ error: { ...answer.error, requestId } });
    outgoing.writeHead(answer.status, { ...HEADERS, "Content-Length": Buffer.byteLength(body), "X-Request-ID": requestId });
    outgoing.end(body);
  }
  options.logRequest(requestLogLine({ requestId, method: "GET", path: "/v1/whoami", status: answer.status, started }));
}

function sendError(outgoing: ServerResponse, error: unknown, requestId: string, started: number, options: FastWhoamiOptions): void {
  const answer = errorAnswer(error, requestId, options.log);
  const body = JSON.stringify(answer.body);
  outgoing.writeHead(answer.status, { ...HEADERS, ...answer.headers, "Content-Length": Buffer.byteLength(body), "X-Request-ID": requestId });
  outgoing.end(body);
  options.logRequest(requestLogLine({ requestId, method: "GET", path: "/v1/whoami", status: answer.status, started }));
}
