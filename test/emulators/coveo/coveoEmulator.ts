import { randomBytes, randomUUID } from "node:crypto";
import type { ApiKeyModel } from "@coveo/platform-client";
import { isoDurationMs, startLoopbackJsonServer, type EmulatorRequest, type EmulatorResponse } from "../loopbackJson";

/**
 * Coveo's Authorization Server API-key endpoints, emulated on loopback from the documented contract
 * (docs.coveo.com/en/82, the AuthorizationServer OpenAPI document, coveo/platform-client's
 * ApiKeyModel) — not from our client:
 * - `Authorization: Bearer <OAuth2 access token>`; an API key's own value cannot manage keys (403).
 * - POST /rest/organizations/{org}/apikeys[?apiKeyTemplateId=] -> 201 with `value` (only here) and,
 *   when `rotationEnabled`, a `rotationSecret`; displayName <= 125, description <= 1000.
 * - GET .../apikeys and .../apikeys/{id}: `value` masked.
 * - PUT .../apikeys/{id} -> 204, changes only displayName, description, allowedIps, deniedIps and
 *   additionalConfiguration (privileges and the rest of the body are ignored, as Coveo does).
 * - PUT .../{id}/activate and .../{id}/disable -> 204; DELETE .../{id} -> 204; the bulk forms
 *   PUT .../activate/bulk, PUT .../disable/bulk and POST .../delete/bulk take a JSON list of ids.
 * - PUT .../{id}/duplicate {displayName?, description?, lifetimeDuration} -> a new key with the
 *   original's privileges, IP lists and configuration, and its own value (shown in this answer only).
 * - PUT .../{id}/activation/extend -> 204: a key due to be disabled for inactivity is kept active.
 * - GET .../apikeys?status=ACTIVE|SOON_TO_BE_DISABLED|SOON_TO_BE_EXPIRED|ACTIVE_AND_EXPOSED|ALL_EXPOSED|DEACTIVATED.
 * - POST .../apikeys/rotate {rotationSecret, previousKeyExpirationPeriod <= 30 days,
 *   newKeyExpirationPeriod} -> a new key inheriting the old one's settings, new value and secret.
 *   Coveo's own client (@coveo/platform-client) has no method for it; the contract is from
 *   docs.coveo.com/en/82 and the Authorization Server's OpenAPI document.
 * - `exposureReport` {apiKeyLoggerId, severity, reasons[{id, source, url, createdDate}],
 *   deactivationDate, creationType, createdBy} on a key Coveo found exposed (`reportExposure` here);
 *   past its deactivationDate the key's status is DISABLED_EXPOSED and it no longer works.
 * - `lastUsedDate`: "the approximate API key last used date" (ApiKeyModel), absent until the key is
 *   first used; the emulator has no search API, so a test records a use with `recordUse`.
 * - Dates are epoch milliseconds, the type Coveo's own client (ApiKeyModel) gives them.
 * - Errors: RFC 7807 {title, detail, status} or {message, errorCode, requestID}; X-Request-ID always.
 */
export interface CoveoStoredKey {
  id: string;
  organizationId: string;
  value: string;
  displayName: string;
  description: string;
  enabled: boolean;
  privileges: Array<{ owner: string; targetDomain: string; type?: string; targetId?: string }>;
  allowedIps: string[];
  deniedIps: string[];
  additionalConfiguration: Record<string, unknown>;
  apiKeyTemplateId?: string;
  createdDate: number;
  expirationDate?: number;
  rotationSecret?: string;
  status: "ENABLED" | "DISABLED" | "EXPIRED" | "DISABLED_EXPOSED";
  /** When the key was last used or had its activation extended (Coveo disables unused keys). */
  activationDate: number;
  /** Typed by Coveo's client: epoch milliseconds, absent until the key's first use. */
  lastUsedDate?: ApiKeyModel["lastUsedDate"];
  exposureReport?: CoveoExposureReport;
}

/** What Coveo attaches to a key it found exposed (ApiKeyModel.exposureReport). */
export interface CoveoExposureReport {
  apiKeyLoggerId: string;
  severity: "CRITICAL" | "HIGH" | "MEDIUM" | "LOW" | "WARN";
  reasons: Array<{ id: string; reason?: string; source: "GITHUB" | "MANUAL"; url?: string; createdDate: number }>;
  deactivationDate: number;
  creationType: "MANUAL" | "AUTOMATED";
  createdBy: { username: string };
}

export interface CoveoEmulatorOptions {
  readonly organizationId: string;
  readonly accessToken: string;
  /** Templates by id: their privileges are given to keys made from them. */
  readonly templates?: Record<string, CoveoStoredKey["privileges"]>;
}

const THIRTY_DAYS_MS = 30 * 86_400_000;
const UPDATABLE = ["displayName", "description", "allowedIps", "deniedIps", "additionalConfiguration"] as const;

export class CoveoEmulator {
  readonly keys = new Map<string, CoveoStoredKey>();
  /** Every request: method and path, for call counting. */
  readonly requests: string[] = [];
  private injected: EmulatorResponse[] = [];
  /** Requests whose answer is dropped after they were carried out (a lost response). */
  private dropAfterHandling = 0;
  url = "";
  private closeServer?: () => Promise<void>;

  constructor(readonly options: CoveoEmulatorOptions) {}

  static async start(options: CoveoEmulatorOptions): Promise<CoveoEmulator> {
    const emulator = new CoveoEmulator(options);
    const started = await startLoopbackJsonServer(async (request) => {
      const answer = await emulator.handle(request);
      if (emulator.dropAfterHandling > 0 && request.method !== "GET") {
        emulator.dropAfterHandling--;
        started.server.closeAllConnections();
      }
      return answer;
    });
    emulator.url = started.url;
    emulator.closeServer = started.close;
    return emulator;
  }

  close(): Promise<void> {
    return this.closeServer?.() ?? Promise.resolve();
  }

  /** The next `count` requests get this answer instead (429 storms, 5xx). */
  injectResponses(count: number, response: EmulatorResponse): void {
    for (let i = 0; i < count; i++) this.injected.push(response);
  }

  /**
   * Coveo's secret scanning found the key: it gets an exposure report and is deactivated on
   * `deactivationDate` (the key stops working then unless it is rotated or deleted first).
   */
  reportExposure(
    id: string,
    report: { severity: CoveoExposureReport["severity"]; source: "GITHUB" | "MANUAL"; url?: string; reason?: string; deactivationDate: number },
  ): void {
    const key = this.keys.get(id);
    if (!key) throw new Error(`no key ${id}`);
    key.exposureReport = {
      apiKeyLoggerId: randomUUID(),
      severity: report.severity,
      reasons: [
        {
          id: randomUUID(),
          source: report.source,
          ...(report.url ? { url: report.url } : {}),
          ...(report.reason ? { reason: report.reason } : {}),
          createdDate: Date.now(),
        },
      ],
      deactivationDate: report.deactivationDate,
      creationType: report.source === "GITHUB" ? "AUTOMATED" : "MANUAL",
      createdBy: { username: "secret-scanning@coveo.com" },
    };
  }

  /**
   * The key was used to call Coveo (a query, an analytics event) at `at`: what Coveo reports as
   * `lastUsedDate`. A use also counts as activity for the inactivity rule (`activationDate`).
   */
  recordUse(id: string, at: number = Date.now()): void {
    const key = this.keys.get(id);
    if (!key) throw new Error(`no key ${id}`);
    key.lastUsedDate = at;
    key.activationDate = Math.max(key.activationDate, at);
  }

  /** The next non-GET request is carried out, then its connection is cut before the answer. */
  loseNextResponse(): void {
    this.dropAfterHandling++;
  }

  private handle(request: EmulatorRequest): EmulatorResponse {
    const requestId = randomUUID();
    this.requests.push(`${request.method} ${request.path}${request.query.toString() ? `?${request.query}` : ""}`);
    const withId = (response: EmulatorResponse): EmulatorResponse => ({ ...response, headers: { ...(response.headers ?? {}), "x-request-id": requestId } });
    const injected = this.injected.shift();
    if (injected) return withId(injected);
    const problem = (status: number, title: string, detail: string) => withId({ status, body: { type: "about:blank", title, status, detail } });
    const coveoError = (status: number, errorCode: string, message: string) => withId({ status, body: { message, errorCode, requestID: requestId } });

    const match = /^\/rest\/organizations\/([^/]+)\/apikeys(?:\/([^/]+))?(?:\/(activate|disable|duplicate|activation\/extend|bulk))?$/.exec(request.path);
    if (!match) return problem(404, "Not Found", `no route for ${request.method} ${request.path}`);
    const auth = request.headers.authorization ?? "";
    const bearer = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    if ([...this.keys.values()].some((k) => k.value === bearer))
      return coveoError(403, "ACCESS_DENIED", "An API key cannot be used to manage API keys; use an OAuth2 access token.");
    if (bearer !== this.options.accessToken) return coveoError(401, "INVALID_TOKEN", "The access token is missing, invalid or expired.");
    const [, org, idOrRotate, toggle] = match;
    if (decodeURIComponent(org) !== this.options.organizationId)
      return coveoError(403, "ACCESS_DENIED", `You are not allowed to access organization ${decodeURIComponent(org)}.`);
    if (request.method !== "GET" && request.method !== "DELETE" && request.headers["content-type"]?.includes("json") === false && request.body !== "") {
      return problem(415, "Unsupported Media Type", "Content-Type must be application/json");
    }

    for (const key of this.keys.values()) this.settle(key);
    if (idOrRotate === "rotate" && request.method === "POST" && !toggle) return withId(this.rotate(request, coveoError));
    if (toggle === "bulk") return withId(this.bulk(idOrRotate, request, problem, coveoError));
    if (!idOrRotate) {
      if (request.method === "GET") {
        const status = request.query.get("status") ?? undefined;
        if (status !== undefined && !(status in STATUS_FILTERS))
          return coveoError(400, "INVALID_PARAMETER", `status must be one of ${Object.keys(STATUS_FILTERS).join(", ")}.`);
        const keys = [...this.keys.values()].filter((k) => k.organizationId === org && (status === undefined || STATUS_FILTERS[status](k)));
        return withId({ status: 200, body: keys.map((k) => this.publicModel(k)) });
      }
      if (request.method === "POST") return withId(this.create(request, problem, coveoError));
      return problem(405, "Method Not Allowed", `${request.method} is not allowed here`);
    }
    const key = this.keys.get(decodeURIComponent(idOrRotate));
    if (!key) return problem(404, "Not Found", `API key ${decodeURIComponent(idOrRotate)} does not exist.`);
    if (toggle) {
      if (request.method !== "PUT") return problem(405, "Method Not Allowed", `${request.method} is not allowed here`);
      if (toggle === "duplicate") return withId(this.duplicate(key, request, coveoError));
      if (toggle === "activation/extend") {
        key.activationDate = Date.now();
        return withId({ status: 204 });
      }
      this.setEnabled(key, toggle === "activate");
      return withId({ status: 204 });
    }
    if (request.method === "GET") return withId({ status: 200, body: this.publicModel(key) });
    if (request.method === "DELETE") {
      this.keys.delete(key.id);
      return withId({ status: 204 });
    }
    if (request.method === "PUT") {
      const body = request.body as Record<string, unknown>;
      if (!request.bodyIsJson || typeof body !== "object" || body === null) return coveoError(400, "INVALID_BODY", "The body must be an API key model.");
      const invalid = this.invalidField(body);
      if (invalid) return coveoError(400, "INVALID_PARAMETER", invalid);
      for (const field of UPDATABLE)
        if (field in body && body[field] !== undefined) (key as any)[field] = body[field] ?? (field.endsWith("Ips") ? [] : field === "description" ? "" : {});
      return withId({ status: 204 });
    }
    return problem(405, "Method Not Allowed", `${request.method} is not allowed here`);
  }

  private setEnabled(key: CoveoStoredKey, enabled: boolean): void {
    key.enabled = enabled;
    if (key.status !== "EXPIRED" && key.status !== "DISABLED_EXPOSED") key.status = enabled ? "ENABLED" : "DISABLED";
  }

  /** Time passing: an exposed key is deactivated on its report's date, a rotated-out key expires. */
  private settle(key: CoveoStoredKey): void {
    const now = Date.now();
    if (key.exposureReport && key.exposureReport.deactivationDate <= now && key.status !== "EXPIRED") key.status = "DISABLED_EXPOSED";
    if (key.expirationDate !== undefined && key.expirationDate <= now && key.status !== "DISABLED_EXPOSED") key.status = "EXPIRED";
  }

  /** PUT .../activate/bulk, PUT .../disable/bulk, POST .../delete/bulk with a JSON list of key ids. */
  private bulk(
    action: string,
    request: EmulatorRequest,
    problem: (s: number, t: string, d: string) => EmulatorResponse,
    coveoError: (s: number, c: string, m: string) => EmulatorResponse,
  ): EmulatorResponse {
    const method = action === "delete" ? "POST" : "PUT";
    if (!["activate", "disable", "delete"].includes(action) || request.method !== method)
      return problem(405, "Method Not Allowed", `${request.method} is not allowed here`);
    const ids = request.body;
    if (!request.bodyIsJson || !Array.isArray(ids) || ids.some((id) => typeof id !== "string"))
      return coveoError(400, "INVALID_BODY", "The body must be a list of API key ids.");
    const missing = ids.find((id) => !this.keys.has(id));
    if (missing) return problem(404, "Not Found", `API key ${missing} does not exist.`);
    for (const id of ids) {
      if (action === "delete") this.keys.delete(id);
      else this.setEnabled(this.keys.get(id)!, action === "activate");
    }
    return { status: 204 };
  }

  private duplicate(original: CoveoStoredKey, request: EmulatorRequest, coveoError: (s: number, c: string, m: string) => EmulatorResponse): EmulatorResponse {
    const body = (request.bodyIsJson ? request.body : {}) as Record<string, unknown>;
    const invalid = this.invalidField(body);
    if (invalid) return coveoError(400, "INVALID_PARAMETER", invalid);
    const ms = typeof body.lifetimeDuration === "string" ? isoDurationMs(body.lifetimeDuration) : undefined;
    if (ms === undefined || ms <= 0) return coveoError(400, "INVALID_PARAMETER", "lifetimeDuration is required: an ISO-8601 duration such as P1M.");
    const copy = this.store({
      organizationId: original.organizationId,
      displayName: typeof body.displayName === "string" ? body.displayName : `${original.displayName} (copy)`,
      description: typeof body.description === "string" ? body.description : original.description,
      enabled: true,
      privileges: original.privileges,
      allowedIps: original.allowedIps,
      deniedIps: original.deniedIps,
      additionalConfiguration: original.additionalConfiguration,
      apiKeyTemplateId: original.apiKeyTemplateId,
      expirationDate: Date.now() + ms,
      rotationEnabled: false,
    });
    return { status: 200, body: { ...this.publicModel(copy), value: copy.value } };
  }

  private invalidField(body: Record<string, unknown>): string | undefined {
    if (body.displayName !== undefined && (typeof body.displayName !== "string" || body.displayName.length > 125))
      return "displayName must be a string of at most 125 characters.";
    if (body.description !== undefined && (typeof body.description !== "string" || body.description.length > 1000))
      return "description must be a string of at most 1000 characters.";
    for (const field of ["allowedIps", "deniedIps"])
      if (body[field] !== undefined && !Array.isArray(body[field])) return `${field} must be an array of IP addresses.`;
    return undefined;
  }

  private create(
    request: EmulatorRequest,
    problem: (s: number, t: string, d: string) => EmulatorResponse,
    coveoError: (s: number, c: string, m: string) => EmulatorResponse,
  ): EmulatorResponse {
    const body = request.body as Record<string, any>;
    if (!request.bodyIsJson || typeof body !== "object" || body === null || Array.isArray(body))
      return coveoError(400, "INVALID_BODY", "The body must be an API key model.");
    const templateId = request.query.get("apiKeyTemplateId") ?? undefined;
    const template = templateId === undefined ? undefined : this.options.templates?.[templateId];
    if (templateId !== undefined && !template) return problem(404, "Not Found", `API key template ${templateId} does not exist.`);
    if (!templateId && (typeof body.displayName !== "string" || body.displayName.trim() === ""))
      return coveoError(400, "INVALID_PARAMETER", "displayName is required when no apiKeyTemplateId is given.");
    const invalid = this.invalidField(body);
    if (invalid) return coveoError(400, "INVALID_PARAMETER", invalid);
    const privileges = body.privileges ?? [];
    if (
      !Array.isArray(privileges) ||
      privileges.some((p: any) => !p || typeof p.owner !== "string" || typeof p.targetDomain !== "string" || "targetIds" in p)
    ) {
      return coveoError(400, "INVALID_PARAMETER", "privileges must be a list of {owner, targetDomain, type, targetId}.");
    }
    let expirationDate: number | undefined;
    if (body.lifetimeDuration !== undefined) {
      const ms = isoDurationMs(body.lifetimeDuration);
      if (ms === undefined || ms <= 0) return coveoError(400, "INVALID_PARAMETER", "lifetimeDuration must be an ISO-8601 duration such as P1M.");
      expirationDate = Date.now() + ms;
    }
    const key = this.store({
      organizationId: this.options.organizationId,
      displayName: body.displayName ?? `Key from template ${templateId}`,
      description: body.description ?? "",
      // Coveo's create model (CreateApiKeyModel) has no `enabled`: a new key is enabled.
      enabled: true,
      privileges: privileges.length > 0 ? privileges : (template ?? []),
      allowedIps: body.allowedIps ?? [],
      deniedIps: body.deniedIps ?? [],
      additionalConfiguration: body.additionalConfiguration ?? {},
      apiKeyTemplateId: templateId,
      expirationDate,
      rotationEnabled: body.rotationEnabled === true,
    });
    return {
      status: 201,
      body: { ...this.publicModel(key), value: key.value, ...(key.rotationSecret ? { rotationSecret: key.rotationSecret } : {}) },
    };
  }

  private store(
    fields: Omit<CoveoStoredKey, "id" | "value" | "createdDate" | "activationDate" | "status" | "rotationSecret" | "exposureReport"> & {
      rotationEnabled: boolean;
    },
  ): CoveoStoredKey {
    const { rotationEnabled, ...rest } = fields;
    const key: CoveoStoredKey = {
      ...rest,
      id: randomBytes(13)
        .toString("base64url")
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "x"),
      value: `xx${randomUUID()}`,
      createdDate: Date.now(),
      activationDate: Date.now(),
      status: rest.enabled ? "ENABLED" : "DISABLED",
      ...(rotationEnabled ? { rotationSecret: randomBytes(24).toString("base64url") } : {}),
    };
    this.keys.set(key.id, key);
    return key;
  }

  private rotate(request: EmulatorRequest, coveoError: (s: number, c: string, m: string) => EmulatorResponse): EmulatorResponse {
    const body = request.body as Record<string, any>;
    if (!request.bodyIsJson || typeof body?.rotationSecret !== "string") return coveoError(400, "INVALID_PARAMETER", "rotationSecret is required.");
    const previous = [...this.keys.values()].find((k) => k.rotationSecret === body.rotationSecret);
    if (!previous) return coveoError(400, "INVALID_ROTATION_SECRET", "The rotation secret is invalid or was already used.");
    const previousMs = isoDurationMs(body.previousKeyExpirationPeriod ?? "PT0S");
    if (previousMs === undefined) return coveoError(400, "INVALID_PARAMETER", "previousKeyExpirationPeriod must be an ISO-8601 duration.");
    if (previousMs > THIRTY_DAYS_MS) return coveoError(400, "INVALID_PARAMETER", "previousKeyExpirationPeriod cannot exceed 30 days (P30D).");
    let expirationDate: number | undefined;
    if (body.newKeyExpirationPeriod !== undefined) {
      const ms = isoDurationMs(body.newKeyExpirationPeriod);
      if (ms === undefined || ms <= 0) return coveoError(400, "INVALID_PARAMETER", "newKeyExpirationPeriod must be an ISO-8601 duration.");
      expirationDate = Date.now() + ms;
    }
    previous.rotationSecret = undefined;
    previous.expirationDate = Date.now() + previousMs;
    if (previousMs === 0) previous.status = "EXPIRED";
    const successor = this.store({
      organizationId: previous.organizationId,
      displayName: previous.displayName,
      description: previous.description,
      enabled: previous.enabled,
      privileges: previous.privileges,
      allowedIps: previous.allowedIps,
      deniedIps: previous.deniedIps,
      additionalConfiguration: previous.additionalConfiguration,
      apiKeyTemplateId: previous.apiKeyTemplateId,
      expirationDate,
      rotationEnabled: true,
    });
    return { status: 201, body: { ...this.publicModel(successor), value: successor.value, rotationSecret: successor.rotationSecret } };
  }

  /** What GET answers: the value masked, never the rotation secret; dates in epoch milliseconds. */
  private publicModel(k: CoveoStoredKey): Record<string, unknown> {
    return {
      id: k.id,
      organizationId: k.organizationId,
      displayName: k.displayName,
      description: k.description,
      enabled: k.enabled,
      value: `${k.value.slice(0, 6)}${"*".repeat(30)}`,
      privileges: k.privileges,
      allowedIps: k.allowedIps,
      deniedIps: k.deniedIps,
      additionalConfiguration: k.additionalConfiguration,
      ...(k.apiKeyTemplateId ? { apiKeyTemplateId: k.apiKeyTemplateId } : {}),
      createdDate: k.createdDate,
      activationDate: k.activationDate,
      ...(k.lastUsedDate !== undefined ? ({ lastUsedDate: k.lastUsedDate } satisfies Pick<ApiKeyModel, "lastUsedDate">) : {}),
      ...(k.expirationDate !== undefined ? { expirationDate: k.expirationDate } : {}),
      status: k.status,
      ...(k.exposureReport ? { exposureReport: k.exposureReport } : {}),
    };
  }
}

const SOON_MS = 7 * 86_400_000;
const INACTIVITY_MS = 90 * 86_400_000;

/** The `status` filters of GET .../apikeys (ApiKeyStatusFilter). */
const STATUS_FILTERS: Record<string, (k: CoveoStoredKey) => boolean> = {
  ACTIVE: (k) => k.status === "ENABLED",
  SOON_TO_BE_DISABLED: (k) => k.status === "ENABLED" && Date.now() - k.activationDate > INACTIVITY_MS - SOON_MS,
  SOON_TO_BE_EXPIRED: (k) => k.status === "ENABLED" && k.expirationDate !== undefined && k.expirationDate - Date.now() < SOON_MS,
  ACTIVE_AND_EXPOSED: (k) => k.status === "ENABLED" && k.exposureReport !== undefined,
  ALL_EXPOSED: (k) => k.exposureReport !== undefined,
  DEACTIVATED: (k) => k.status !== "ENABLED",
};
