import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as an emulator sees it: method, path, query and parsed JSON body (or the raw text). */
export interface EmulatorRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
  readonly body: unknown;
  readonly bodyIsJson: boolean;
}

export interface EmulatorResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * A plain node:http server on 127.0.0.1 for a vendor emulator. Shared transport only: each vendor's
 * contract lives in its own folder and shares no code with the provider's clients.
 */
export async function startLoopbackJsonServer(
  handle: (request: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>,
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown = text;
    let bodyIsJson = false;
    if (text) {
      try {
        body = JSON.parse(text);
        bodyIsJson = true;
      } catch {
        // left as text: the emulator answers 400
      }
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const answer = await handle({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body, bodyIsJson });
    const headers: Record<string, string> = { ...(answer.headers ?? {}) };
    if (answer.body !== undefined) headers["content-type"] = headers["content-type"] ?? "application/json";
    res.writeHead(answer.status, headers);
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** ISO-8601 duration in milliseconds (months as 30 days, years as 365), or undefined if malformed. */
export function isoDurationMs(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value);
  if (!m || value === "P" || value.endsWith("T")) return undefined;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0));
  return ((((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}
