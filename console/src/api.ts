import { z } from "zod";
import { issuedKeySchema, keyPageSchema, keySchema, type IssuedKeyAnswer, type Key } from "../../shared/wire/key";
import { auditPageSchema, type AuditEntry } from "../../shared/wire/audit";
import { callerSchema, issuedTokenSchema, tokenListSchema, tokenSchema, type TokenInfo } from "../../shared/wire/token";

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

/** The server's error answer, as far as the console shows it. */
function errorAnswerSchema() {
  return z.object({ error: z.object({ message: z.string().optional(), field: z.string().optional() }) });
}

/** A create or roll answer always holds the secret here: each request sends a new Idempotency-Key, so none is a replay. */
function withSecret(answer: IssuedKeyAnswer): ConsoleKey & { secret: string } {
  const { secret } = answer;
  if (secret === undefined) throw new Error("the server answered without the key's secret: see the key's audit entries");
  return { ...answer, secret };
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
    const me = await call(callerSchema(), token, "GET", "/v1/me");
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
      const page = await call(
        keyPageSchema(),
        this.token,
        "GET",
        this.keysPath(`?environment=${environment}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`),
      );
      keys.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return keys;
  }

  async create(body: Record<string, unknown>): Promise<ConsoleKey & { secret: string }> {
    return withSecret(await call(issuedKeySchema(), this.token, "POST", this.keysPath(), body, { "Idempotency-Key": crypto.randomUUID() }));
  }

  setEnabled(id: string, enabled: boolean): Promise<ConsoleKey> {
    return call(keySchema(), this.token, "PATCH", this.keysPath(`/${encodeURIComponent(id)}`), { enabled });
  }

  async roll(id: string, gracePeriodSeconds: number): Promise<ConsoleKey & { secret: string }> {
    return withSecret(
      await call(
        issuedKeySchema(),
        this.token,
        "POST",
        this.keysPath(`/${encodeURIComponent(id)}/roll`),
        { gracePeriodSeconds },
        { "Idempotency-Key": crypto.randomUUID() },
      ),
    );
  }

  revoke(id: string): Promise<ConsoleKey> {
    return call(keySchema(), this.token, "DELETE", this.keysPath(`/${encodeURIComponent(id)}`));
  }

  private tokensPath(suffix = ""): string {
    return `/v1/organizations/${encodeURIComponent(this.organizationId)}/tokens${suffix}`;
  }

  async listTokens(): Promise<ConsoleToken[]> {
    return (await call(tokenListSchema(), this.token, "GET", this.tokensPath())).items;
  }

  createToken(body: { name: string; description: string; scope: "manage" | "read"; expiresAt?: string }): Promise<ConsoleToken & { token: string }> {
    return call(issuedTokenSchema(), this.token, "POST", this.tokensPath(), body);
  }

  revokeToken(id: string): Promise<ConsoleToken> {
    return call(tokenSchema(), this.token, "DELETE", this.tokensPath(`/${encodeURIComponent(id)}`));
  }

  async audit(): Promise<AuditEntry[]> {
    return (await call(auditPageSchema(), this.token, "GET", `/v1/organizations/${encodeURIComponent(this.organizationId)}/audit?limit=200`)).items;
  }
}

/** One request; its answer is parsed with `answer`, the server's own schema for it (shared/wire). */
async function call<T>(answer: z.ZodType<T>, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
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
  const data: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = errorAnswerSchema().safeParse(data).data?.error;
    throw new ConsoleApiError(response.status, error?.message ?? `the server answered ${response.status}`, error?.field);
  }
  const parsed = answer.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConsoleApiError(response.status, `the server's answer is not what the console expects: ${issue.path.join(".") || "root"}: ${issue.message}`);
  }
  return parsed.data;
}
