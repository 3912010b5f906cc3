import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One injected fault, applied to the next request that matches. */
export type Fault =
  | { kind: "status"; status: number; retryAfter?: string; body?: unknown }
  /** Forward the request (the server acts on it), then cut the connection before the client gets the answer. */
  | { kind: "lose-response" }
  /** Cut the connection without forwarding. */
  | { kind: "reset" }
  | { kind: "delay"; ms: number }
  /** Forward the request at once (the server acts on it), answer the client only after `ms`. */
  | { kind: "delay-response"; ms: number };

interface Rule {
  readonly match: (req: IncomingMessage) => boolean;
  readonly fault: Fault;
  remaining: number;
}

/**
 * A loopback HTTP proxy in front of the real key API server that injects faults into chosen
 * requests, and records every request it saw (method and path only).
 */
export class FaultProxy {
  readonly seen: Array<{ method: string; path: string; fault?: Fault["kind"] }> = [];
  private readonly rules: Rule[] = [];
  private server?: Server;
  url = "";

  constructor(private readonly target: string) {}

  inject(fault: Fault, options: { times?: number; method?: string; pathIncludes?: string } = {}): void {
    this.rules.push({
      match: (req) => (!options.method || req.method === options.method) && (!options.pathIncludes || (req.url ?? "").includes(options.pathIncludes)),
      fault,
      remaining: options.times ?? 1,
    });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private takeFault(req: IncomingMessage): Fault | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && r.match(req));
    if (!rule) return undefined;
    rule.remaining--;
    return rule.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = this.takeFault(req);
    this.seen.push({ method: req.method ?? "", path: (req.url ?? "").split("?")[0], fault: fault?.kind });
    const body = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks)));
    });
    if (fault?.kind === "reset") return void req.socket.destroy();
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "content-type": "application/json", ...(fault.retryAfter ? { "retry-after": fault.retryAfter } : {}) });
      return void res.end(JSON.stringify(fault.body ?? { error: { code: "INJECTED", message: `injected ${fault.status}` } }));
    }
    if (fault?.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms));
    const target = new URL(req.url ?? "/", this.target);
    const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on("data", (c: Buffer) => chunks.push(c));
      answer.on("end", async () => {
        if (fault?.kind === "lose-response") return void req.socket.destroy();
        if (fault?.kind === "delay-response") await new Promise((r) => setTimeout(r, fault.ms));
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(Buffer.concat(chunks));
      });
    });
    upstream.on("error", () => req.socket.destroy());
    upstream.end(body);
  }
}
