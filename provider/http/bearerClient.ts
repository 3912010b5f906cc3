import type { ResolvedConnection } from "../connection/resolvedConnection";
import { KeyApiClient, type KeyApiClientOptions } from "./keyApiClient";
import { retryPolicyFromEnv } from "./retryPolicy";

/** An HTTP client that sends the connection's token as a bearer token (most key APIs take it this way). */
export function bearerClient(connection: ResolvedConnection, env: NodeJS.ProcessEnv, options: Pick<KeyApiClientOptions, "parseError"> = {}): KeyApiClient {
  return new KeyApiClient({ baseURL: connection.endpoint, authorization: `Bearer ${connection.token}`, retryPolicy: retryPolicyFromEnv(env), ...options });
}
