import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from "axios";
import { errorCodeOf, messageOf } from "../../shared/caught";
import { KeyApiError, type KeyOperation } from "../errors";
import { isRecord } from "../records";
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
  /** How this API's error answers read; `standardErrorBody` by default. */
  readonly parseError?: ErrorBodyParser;
}

export interface RequestOptions {
  /** A 404 answers `undefined` instead of throwing. */
  readonly notFoundOk?: boolean;
  /** Retry only when the request surely did not arrive (a POST without an Idempotency-Key). */
  readonly onlyUnsent?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What an error answer says, read from its body in the API's own format. */
export interface ErrorBody {
  readonly message: string;
  readonly code?: string;
  /** For an API that puts the request id in the body as well as (or instead of) X-Request-ID. */
  readonly requestId?: string;
}

/** Reads an error answer's body; each backend can supply its own (as ky's `beforeError` hook lets a caller). */
export type ErrorBodyParser = (data: unknown) => ErrorBody;

/**
 * A value of an error body as text: a string as it is, a number or boolean written out, an object as
 * its JSON (never "[object Object]").
 */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  return JSON.stringify(value);
}

/**
 * The formats most APIs answer errors in: `{error: {message, code}}` (the reference server), RFC 7807
 * problem details (`detail`/`title`, `type`), a bare `{message}`, or text.
 */
export function standardErrorBody(data: unknown): ErrorBody {
  if (isRecord(data)) {
    const error = data.error;
    if (isRecord(error)) return { message: textOf(error.message ?? "error"), code: error.code ? textOf(error.code) : undefined };
    if (data.detail || data.title) return { message: textOf(data.detail ?? data.title), code: data.type === undefined ? undefined : textOf(data.type) };
    if (data.message) return { message: textOf(data.message) };
  }
  if (typeof data === "string" && data.trim()) return { message: data.trim().slice(0, 300) };
  return { message: "no error message in the response" };
}

/** A header's value when it came once (axios types a header as possibly a list). */
function headerOf(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name];
  return typeof value === "string" ? value : undefined;
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
            headers: { ...config.headers, Authorization: authorization },
          });
        } finally {
          answered?.();
        }
      } catch (error) {
        if (error instanceof KeyApiError) throw error;
        const code = errorCodeOf(error);
        const retryable = options.onlyUnsent ? code === "ECONNREFUSED" : isRetryableNetworkCode(code) || code === undefined;
        if (retryable && attempt < this.retryPolicy.maxAttempts) {
          await sleep(backoffDelayMs(this.retryPolicy, attempt));
          continue;
        }
        // Only the code and message of the network error: an axios error object carries the headers.
        // The endpoint may hold `user:password@` or `?token=`: KeyApiError redacts it (redactUrl).
        throw new KeyApiError({
          ...purpose,
          serverMessage: `could not reach the key API at ${this.http.defaults.baseURL} (${code ?? messageOf(error)})`,
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
      const retryableStatus = options.onlyUnsent ? response.status === 429 : isRetryableStatus(response.status);
      if (retryableStatus && attempt < this.retryPolicy.maxAttempts) {
        await sleep(backoffDelayMs(this.retryPolicy, attempt, headerOf(response.headers, "retry-after")));
        continue;
      }
      const { message, code, requestId: bodyRequestId } = (this.options.parseError ?? standardErrorBody)(response.data);
      const requestId = headerOf(response.headers, "x-request-id") ?? bodyRequestId;
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
