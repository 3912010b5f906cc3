import type { Key } from "../../shared/wire/key";
import type { AuditEntry } from "../../shared/wire/audit";
import type { TokenInfo } from "../../shared/wire/token";

/** A key as the reference server answers it (never with its secret, except right after create or roll). */
export type ConsoleKey = Key;
export type { AuditEntry };
/** An admin token as listed: never its secret, only a hint. */
export type ConsoleToken = TokenInfo;

/** The server's error answer, with the field it names, ready to show next to that field. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ConsoleApiError";
  }
}

/**
 * The reference server's admin API with an organization token held in memory only: no cookie,
 * no localStorage, gone when the tab closes or the user signs out.
 */
export class ConsoleApi {
  constructor(
    private readonly token: string,
    readonly organizationId: string,
    /** The admin token this console signed in with, so the tokens page can mark it and warn before revoking it. */
    readonly tokenId: string,
  ) {}

  /** Finds which organization a token belongs to; throws ConsoleApiError for a wrong token. */
  static async signIn(token: string): Promise<ConsoleApi> {
    const me = await call<{ kind: string; organizationId?: string; tokenId?: string }>(token, "GET", "/v1/me");
    if (!me.organizationId || !me.tokenId) throw new ConsoleApiError(400, "the console takes an organization token, not the root token");
    return new ConsoleApi(token, me.organizationId, me.tokenId);
  }

  private keysPath(suffix = ""): string {
    return `/v1/organizations/${encodeURIComponent(this.organizationId)}/keys${suffix}`;
  }

  async listKeys(environment: "live" | "test"): Promise<ConsoleKey[]> {
    const keys: ConsoleKey[] = [];
    let cursor: string | undefined;
    do {
      const page = await call<{ items: ConsoleKey[]; nextCursor?: string | null }>(
        this.token,
        "GET",
        this.keysPath(`?environment=${environment}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
      );
      keys.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return keys;
  }

  create(body: Record<string, unknown>): Promise<ConsoleKey & { secret: string }> {
    return call(this.token, "POST", this.keysPath(), body, { "Idempotency-Key": crypto.randomUUID() });
  }

  setEnabled(id: string, enabled: boolean): Promise<ConsoleKey> {
    return call(this.token, "PATCH", this.keysPath(`/${encodeURIComponent(id)}`), { enabled });
  }

  roll(id: string, gracePeriodSeconds: number): Promise<ConsoleKey & { secret: string }> {
    return call(this.token, "POST", this.keysPath(`/${encodeURIComponent(id)}/roll`), { gracePeriodSeconds }, { "Idempotency-Key": crypto.randomUUID() });
  }

  revoke(id: string): Promise<ConsoleKey> {
    return call(this.token, "DELETE", this.keysPath(`/${encodeURIComponent(id)}`));
  }

  private tokensPath(suffix = ""): string {
    return `/v1/organizations/${encodeURIComponent(this.organizationId)}/tokens${suffix}`;
  }

  async listTokens(): Promise<ConsoleToken[]> {
    return (await call<{ items: ConsoleToken[] }>(this.token, "GET", this.tokensPath())).items;
  }

  createToken(body: { name: string; description: string; scope: "manage" | "read"; expiresAt?: string }): Promise<ConsoleToken & { token: string }> {
    return call(this.token, "POST", this.tokensPath(), body);
  }

  revokeToken(id: string): Promise<ConsoleToken> {
    return call(this.token, "DELETE", this.tokensPath(`/${encodeURIComponent(id)}`));
  }

  /** Every audit entry of one key, oldest first (all pages). */
  async keyAudit(keyId: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let cursor: string | undefined;
    do {
      const path = `/v1/organizations/${encodeURIComponent(this.organizationId)}/audit?keyId=${encodeURIComponent(keyId)}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await call<{ items: AuditEntry[]; nextCursor?: string | null }>(this.token, "GET", path);
      entries.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return entries;
  }

  async audit(): Promise<AuditEntry[]> {
    return (await call<{ items: AuditEntry[] }>(this.token, "GET", `/v1/organizations/${encodeURIComponent(this.organizationId)}/audit?limit=200`)).items;
  }
}

async function call<T>(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
    credentials: "omit",
  });
  const data = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = data?.error;
    throw new ConsoleApiError(response.status, error?.message ?? `the server answered ${response.status}`, error?.field);
  }
  return data as T;
}
