import { randomBytes, randomUUID } from "node:crypto";
import { startLoopbackJsonServer, type EmulatorRequest, type EmulatorResponse } from "../loopbackJson";

/**
 * Didomi's Platform API key endpoints, emulated on loopback from the documented contract
 * (developers.didomi.io/api/introduction/authentication and the Platform API OpenAPI document) —
 * not from our client:
 * - POST /v1/sessions {type: "api-key", key, secret} -> {access_token}; the token expires (an hour
 *   by default) and every other call needs `Authorization: Bearer <token>`, else 401.
 * - POST /v1/keys {organization_id, name, description, is_internal} -> 201 with `secret` (only here).
 * - GET /v1/keys/{id} (no secret), PATCH /v1/keys/{id} {name, description, enabled} (any other field
 *   is a 400), DELETE /v1/keys/{id}, GET /v1/keys?organization_id=&$limit=&$skip= -> {total, limit, skip, data}.
 * - Rate limit: 100 requests per 15 seconds per organization, all its keys together -> 429.
 * - Errors in Feathers' shape {name, message, code, className}.
 *
 * Not checked against Didomi's OpenAPI document: Didomi publishes no client on npm, its complete
 * specification is served from https://api.didomi.io/docs/ (unreachable from here), and no copy of
 * it is in the public sources the search tool reaches (searched 2026-12-01: developers.didomi.io
 * describes the API and links the spec; the didomi/* repositories hold the consent SDKs only). The
 * routes and fields above are from developers.didomi.io; a copy of the spec kept beside this file
 * would let a test check them.
 */
export interface DidomiStoredKey {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  is_internal: boolean;
  enabled: boolean;
  created_at: string;
  updated_at: string;
  secret: string;
}

export interface DidomiEmulatorOptions {
  readonly organizationId: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly tokenTtlMs?: number;
  readonly rateLimit?: { readonly limit: number; readonly windowMs: number };
  /**
   * How long the n-th request to /v1/keys (from 0) travels before Didomi sees it: a busy client
   * machine or a slow network, so a request counts in the window it arrives in, not the one it left in.
   */
  readonly travelMs?: (n: number) => number;
}

const ERROR_NAMES: Record<number, [string, string]> = {
  400: ["BadRequest", "bad-request"],
  401: ["NotAuthenticated", "not-authenticated"],
  403: ["Forbidden", "forbidden"],
  404: ["NotFound", "not-found"],
  429: ["TooManyRequests", "too-many-requests"],
};

function feathersError(status: number, message: string): EmulatorResponse {
  const [name, className] = ERROR_NAMES[status] ?? ["GeneralError", "general-error"];
  return { status, body: { name, message, code: status, className } };
}

export class DidomiEmulator {
  readonly keys = new Map<string, DidomiStoredKey>();
  readonly requests: string[] = [];
  /** Tokens issued, with their expiry. */
  readonly tokens = new Map<string, number>();
  sessionsIssued = 0;
  rateLimited = 0;
  private readonly windowStarts: number[] = [];
  private dropAfterHandling = 0;
  url = "";
  private closeServer?: () => Promise<void>;

  constructor(readonly options: DidomiEmulatorOptions) {}

  static async start(options: DidomiEmulatorOptions): Promise<DidomiEmulator> {
    const emulator = new DidomiEmulator(options);
    let keyRequests = 0;
    const started = await startLoopbackJsonServer(async (request) => {
      const travel = request.path.startsWith("/v1/keys") ? (options.travelMs?.(keyRequests++) ?? 0) : 0;
      if (travel > 0) await new Promise((resolve) => setTimeout(resolve, travel));
      const answer = emulator.handle(request);
      if (emulator.dropAfterHandling > 0 && request.method === "POST" && request.path === "/v1/keys") {
        emulator.dropAfterHandling--;
        started.server.closeAllConnections();
      }
      return answer;
    });
    emulator.url = `${started.url}/v1`;
    emulator.closeServer = started.close;
    return emulator;
  }

  close(): Promise<void> {
    return this.closeServer?.() ?? Promise.resolve();
  }

  /** Every issued token stops working now (as after an hour). */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  /** The next key creation is carried out, then its connection is cut before the answer. */
  loseNextCreateResponse(): void {
    this.dropAfterHandling++;
  }

  private publicKey(k: DidomiStoredKey): Omit<DidomiStoredKey, "secret"> {
    const { secret: _secret, ...rest } = k;
    return rest;
  }

  private handle(request: EmulatorRequest): EmulatorResponse {
    this.requests.push(`${request.method} ${request.path}`);
    if (request.method === "POST" && request.path === "/v1/sessions") {
      const body = request.body as Record<string, unknown>;
      if (!request.bodyIsJson || body?.type !== "api-key") return feathersError(400, 'type must be "api-key"');
      if (body.key !== this.options.apiKey || body.secret !== this.options.apiSecret) return feathersError(401, "Invalid API key or secret");
      this.sessionsIssued++;
      const exp = Date.now() + (this.options.tokenTtlMs ?? 3_600_000);
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const token = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: this.options.apiKey, exp: Math.floor(exp / 1000), jti: randomUUID() })}.${randomBytes(16).toString("base64url")}`;
      this.tokens.set(token, exp);
      return { status: 201, body: { access_token: token } };
    }

    const auth = request.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    const expiry = this.tokens.get(token);
    if (expiry === undefined || expiry <= Date.now()) return feathersError(401, "jwt expired or invalid");

    // The limit counts every authenticated call of the organization (this emulator serves one).
    const { limit, windowMs } = this.options.rateLimit ?? { limit: 100, windowMs: 15_000 };
    const now = Date.now();
    while (this.windowStarts.length > 0 && this.windowStarts[0] <= now - windowMs) this.windowStarts.shift();
    if (this.windowStarts.length >= limit) {
      this.rateLimited++;
      return { ...feathersError(429, "Too many requests"), headers: { "retry-after": String(Math.ceil((this.windowStarts[0] + windowMs - now) / 1000)) } };
    }
    this.windowStarts.push(now);

    if (request.path === "/v1/keys") {
      if (request.method === "GET") {
        if (request.query.get("organization_id") !== this.options.organizationId)
          return feathersError(403, "organization_id must be one of your organizations");
        const limitParam = Math.min(Number(request.query.get("$limit") ?? 10), 100);
        const skip = Number(request.query.get("$skip") ?? 0);
        const all = [...this.keys.values()].filter((k) => k.organization_id === this.options.organizationId);
        return { status: 200, body: { total: all.length, limit: limitParam, skip, data: all.slice(skip, skip + limitParam).map((k) => this.publicKey(k)) } };
      }
      if (request.method === "POST") {
        const body = request.body as Record<string, unknown>;
        if (!request.bodyIsJson || typeof body !== "object" || body === null) return feathersError(400, "body must be a JSON object");
        const unknown = Object.keys(body).filter((k) => !["organization_id", "name", "description", "is_internal"].includes(k));
        if (unknown.length > 0) return feathersError(400, `data must NOT have additional properties (${unknown.join(", ")})`);
        if (body.organization_id !== this.options.organizationId) return feathersError(403, "organization_id must be one of your organizations");
        if (typeof body.name !== "string" || body.name === "") return feathersError(400, "name is required");
        const at = new Date().toISOString();
        const key: DidomiStoredKey = {
          id: randomUUID(),
          organization_id: this.options.organizationId,
          name: body.name,
          description: typeof body.description === "string" ? body.description : "",
          is_internal: body.is_internal === true,
          enabled: true,
          created_at: at,
          updated_at: at,
          secret: randomBytes(32).toString("hex"),
        };
        this.keys.set(key.id, key);
        return { status: 201, body: key };
      }
      return feathersError(400, `${request.method} is not supported on /keys`);
    }

    const match = /^\/v1\/keys\/([^/]+)$/.exec(request.path);
    if (!match) return feathersError(404, `Page not found: ${request.path}`);
    const key = this.keys.get(decodeURIComponent(match[1]));
    if (!key || key.organization_id !== this.options.organizationId) return feathersError(404, `No record found for id '${decodeURIComponent(match[1])}'`);
    if (request.method === "GET") return { status: 200, body: this.publicKey(key) };
    if (request.method === "DELETE") {
      this.keys.delete(key.id);
      return { status: 200, body: this.publicKey(key) };
    }
    if (request.method === "PATCH") {
      const body = request.body as Record<string, unknown>;
      if (!request.bodyIsJson || typeof body !== "object" || body === null) return feathersError(400, "body must be a JSON object");
      const unknown = Object.keys(body).filter((k) => !["name", "description", "enabled"].includes(k));
      if (unknown.length > 0) return feathersError(400, `data must NOT have additional properties (${unknown.join(", ")})`);
      if (body.name !== undefined) key.name = String(body.name);
      if (body.description !== undefined) key.description = String(body.description);
      if (body.enabled !== undefined) key.enabled = body.enabled === true;
      key.updated_at = new Date().toISOString();
      return { status: 200, body: this.publicKey(key) };
    }
    return feathersError(400, `${request.method} is not supported on /keys/{id}`);
  }
}
