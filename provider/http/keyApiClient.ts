import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from "axios";
import { KeyApiError, type KeyOperation } from "../errors";
import { backoffDelayMs, isRetryableNetworkCode, isRetryableStatus, retryPolicyFromEnv, type RetryPolicy } from "./retryPolicy";

/** What a request is for, so an error can say which key and which operation failed. */
export interface RequestPurpose {
  readonly operation: KeyOperation;
  readonly keyLabel: string;
}

export interface KeyApiClientOptions {
  readonly baseURL: string;
  /**
   * Sent as a header only; never part of an error, a log or a thrown object. A function is asked
   * before every attempt (a token exchanged for a session, as Didomi's).
   */
  readonly authorization: string | (() => Promise<string>);
  /** Called once when the API answers 401, before one more attempt (an expired session token). */
  readonly onUnauthorized?: () => void;
  /**
   * Awaited before every attempt: a vendor's rate limit paced on our side. Resolves to a function
   * called when the attempt's answer (or failure) comes back.
   */
  readonly paceAttempt?: () => Promise<() => void>;
  readonly timeoutMs?: number;
  readonly retryPolicy?: RetryPolicy;
  readonly userAgent?: string;
}

export interface RequestOptions {
  /** A 404 answers `undefined` instead of throwing. */
  readonly notFoundOk?: boolean;
  /** Retry only when the request surely did not arrive (a POST without an Idempotency-Key). */
  readonly onlyUnsent?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Coveo puts the request id in the body (`requestID`) as well as in X-Request-ID. */
function requestIdOf(data: unknown): string | undefined {
  const d = data as Record<string, unknown> | undefined;
  return d && typeof d === "object" && typeof d.requestID === "string" ? d.requestID : undefined;
}

function serverMessageOf(data: unknown): { message: string; code?: string } {
  if (data && typeof data === "object") {
    const d = data as Record<string, unknown> & { error?: { message?: unknown; code?: unknown } };
    if (d.error && typeof d.error === "object") return { message: String(d.error.message ?? "error"), code: d.error.code ? String(d.error.code) : undefined };
    // RFC 7807 problem details, or {message, errorCode} (Coveo).
    if (d.detail || d.title) {
      const code = d.errorCode ?? d.type;
      return { message: String(d.detail ?? d.title), code: code === undefined ? undefined : String(code) };
    }
    if (d.message) return { message: String(d.message), code: d.errorCode ? String(d.errorCode) : undefined };
  }
  if (typeof data === "string" && data.trim()) return { message: data.trim().slice(0, 300) };
  return { message: "no error message in the response" };
}

/**
 * One axios client per endpoint and token. Every request retries connection failures, 408, 429 and
 * 5xx with exponential backoff and jitter, honouring Retry-After. Callers make POSTs safe to retry
 * with an Idempotency-Key.
 */
export class KeyApiClient {
  private readonly http: AxiosInstance;
  private readonly retryPolicy: RetryPolicy;
  private readonly options: KeyApiClientOptions;
  /** Counts every HTTP attempt by method, for tests and the benchmark. */
  readonly attempts: Record<string, number> = {};

  constructor(options: KeyApiClientOptions) {
    this.options = options;
    this.retryPolicy = options.retryPolicy ?? retryPolicyFromEnv();
    this.http = axios.create({
      baseURL: options.baseURL.replace(/\/+$/, ""),
      timeout: options.timeoutMs ?? 30_000,
      headers: { "User-Agent": options.userAgent ?? "pulumi-apikeys", Accept: "application/json" },
      validateStatus: () => true,
      maxRedirects: 0,
      // The default adapter would leak proxy settings of the machine into loopback tests.
      proxy: false,
    });
  }

  /**
   * `onlyUnsent` is for a POST the API cannot deduplicate (no Idempotency-Key): it is retried only
   * when it surely did not arrive (connection refused, 429); other failures are the caller's to resolve.
   * `notFoundOk` turns a 404 into `undefined`; only a caller that asks for it gets `undefined`.
   */
  request<T>(purpose: RequestPurpose, config: AxiosRequestConfig, options: RequestOptions & { notFoundOk: true }): Promise<AxiosResponse<T> | undefined>;
  request<T>(purpose: RequestPurpose, config: AxiosRequestConfig, options?: RequestOptions & { notFoundOk?: false }): Promise<AxiosResponse<T>>;
  async request<T>(purpose: RequestPurpose, config: AxiosRequestConfig, options: RequestOptions = {}): Promise<AxiosResponse<T> | undefined> {
    const method = (config.method ?? "get").toUpperCase();
    let reauthorized = false;
    for (let attempt = 1; ; attempt++) {
      this.attempts[method] = (this.attempts[method] ?? 0) + 1;
      let response: AxiosResponse<T>;
      try {
        const authorization = typeof this.options.authorization === "string" ? this.options.authorization : await this.options.authorization();
        // Paced last, so the request leaves right after its turn (a slow sign-in must not shift it).
        const answered = await this.options.paceAttempt?.();
        try {
          response = await this.http.request<T>({
            ...config,
            headers: { ...(config.headers as Record<string, string> | undefined), Authorization: authorization },
          });
        } finally {
          answered?.();
        }
      } catch (error) {
        if (error instanceof KeyApiError) throw error;
        const code = (error as { code?: string }).code;
        const retryable = options.onlyUnsent ? code === "ECONNREFUSED" : isRetryableNetworkCode(code) || code === undefined;
        if (retryable && attempt < this.retryPolicy.maxAttempts) {
          await sleep(backoffDelayMs(this.retryPolicy, attempt));
          continue;
        }
        // Only the code and message of the network error: an axios error object carries the headers.
        throw new KeyApiError({
          ...purpose,
          serverMessage: `could not reach the key API at ${this.http.defaults.baseURL} (${code ?? (error as Error).message})`,
          retryable,
          attempts: attempt,
        });
      }
      if (response.status < 300) return response;
      if (response.status === 404 && options.notFoundOk) return undefined;
      if (response.status === 401 && this.options.onUnauthorized && !reauthorized) {
        reauthorized = true;
        this.options.onUnauthorized();
        attempt--;
        continue;
      }
      const requestId = (response.headers["x-request-id"] as string | undefined) ?? requestIdOf(response.data);
      const retryableStatus = options.onlyUnsent ? response.status === 429 : isRetryableStatus(response.status);
      if (retryableStatus && attempt < this.retryPolicy.maxAttempts) {
        await sleep(backoffDelayMs(this.retryPolicy, attempt, response.headers["retry-after"] as string | undefined));
        continue;
      }
      const { message, code } = serverMessageOf(response.data);
      throw new KeyApiError({
        ...purpose,
        status: response.status,
        code,
        serverMessage: message,
        requestId,
        retryable: isRetryableStatus(response.status),
        attempts: attempt,
      });
    }
  }
}
