import type { IncomingMessage, ServerResponse } from "node:http";
import { newId } from "../ids";
import type { KeyVerifier } from "../verify/keyVerifier";
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

const HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } as const;

/**
 * `GET /v1/whoami` answered straight from Node's request, before Hono: a verification is the one
 * call a service makes on every request it serves, and building the fetch Request, the Context and
 * the middleware chain cost more than the verification itself (bench: 0.44× a bare node:http server
 * through Hono). It answers exactly what the Hono route answers, through the same KeyVerifier (same
 * limits, same cache), with the same request id, security headers and log line; every other request,
 * and any variant of this one (a query string, HEAD), goes to Hono.
 */
export function withFastWhoami(next: NodeListener, options: FastWhoamiOptions): NodeListener {
  return (incoming, outgoing) => {
    if (incoming.method !== "GET" || incoming.url !== "/v1/whoami") return next(incoming, outgoing);
    return answerWhoami(incoming, outgoing, options);
  };
}

async function answerWhoami(incoming: IncomingMessage, outgoing: ServerResponse, options: FastWhoamiOptions): Promise<void> {
  const started = performance.now();
  const requestId = newId("req");
  const header = (name: string) => {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  let status: number;
  let body: string;
  let extraHeaders: Record<string, string> = {};
  try {
    const answer = await options.verifier.answer({
      authorization: header("authorization"),
      apiKey: header("x-api-key"),
      clientId: header("x-client-id"),
      clientAddress: options.clientAddress.resolve(incoming.socket.remoteAddress, header),
    });
    status = answer.status;
    body = answer.status === 200 ? answer.json : JSON.stringify({ error: { ...answer.error, requestId } });
  } catch (error) {
    const answer = errorAnswer(error, requestId, options.log);
    status = answer.status;
    body = JSON.stringify(answer.body);
    extraHeaders = answer.headers;
  }
  outgoing.writeHead(status, { ...HEADERS, ...extraHeaders, "X-Request-ID": requestId });
  outgoing.end(body);
  options.logRequest(requestLogLine({ requestId, method: "GET", path: "/v1/whoami", status, started }));
}
