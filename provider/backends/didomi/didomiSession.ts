import axios from "axios";
import { errorCodeOf } from "../../../shared/caught";
import { KeyApiError } from "../../errors";
import { fieldOf } from "../../records";

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

const tokens = new Map<string, Promise<CachedToken>>();

/** The `exp` claim of a JWT, if it is one; Didomi's tokens are, and live about an hour. */
function expiryOf(token: string, now: number): number {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    const exp = fieldOf(payload, "exp");
    if (typeof exp === "number") return exp * 1000;
  } catch {
    // Not a JWT: assume the documented hour.
  }
  return now + 3_600_000;
}

/**
 * Didomi's API key + secret exchanged for a bearer token (`POST /sessions`), cached per endpoint and
 * key across the provider process, renewed a minute before it expires or when the API says 401.
 */
export class DidomiSession {
  private readonly cacheKey: string;

  constructor(
    private readonly endpoint: string,
    private readonly apiKey: string,
    private readonly apiSecret: string,
  ) {
    this.cacheKey = `${endpoint}|${apiKey}`;
  }

  async authorization(): Promise<string> {
    const cached = tokens.get(this.cacheKey);
    const valid = cached ? await cached.catch(() => undefined) : undefined;
    if (valid && !(valid.expiresAt - 60_000 <= Date.now())) return `Bearer ${valid.token}`;
    const renewed = this.exchange();
    tokens.set(this.cacheKey, renewed);
    renewed.catch(() => tokens.delete(this.cacheKey));
    return `Bearer ${(await renewed).token}`;
  }

  /** Forget the token (the API refused it) so the next request signs in again. */
  invalidate(): void {
    tokens.delete(this.cacheKey);
  }

  private async exchange(): Promise<CachedToken> {
    const response = await axios
      .post<unknown>(
        `${this.endpoint.replace(/\/+$/, "")}/sessions`,
        { type: "api-key", key: this.apiKey, secret: this.apiSecret },
        { validateStatus: () => true, proxy: false, timeout: 30_000, maxRedirects: 0 },
      )
      .catch((error: unknown) => {
        // Only the code: the axios error carries the request body, and with it the secret.
        throw new KeyApiError({
          operation: "read",
          keyLabel: "(Didomi session)",
          serverMessage: `could not reach Didomi at ${this.endpoint} (${errorCodeOf(error) ?? "network error"})`,
          retryable: true,
        });
      });
    const token = fieldOf(response.data, "access_token");
    if (response.status >= 300 || typeof token !== "string") {
      throw new KeyApiError({
        operation: "read",
        keyLabel: "(Didomi session)",
        status: response.status,
        serverMessage: `signing in to Didomi with API key ${this.apiKey} failed; check the key and secret in apikeys:token ("<key>:<secret>")`,
        retryable: false,
      });
    }
    return { token, expiresAt: expiryOf(token, Date.now()) };
  }
}
