import type { ApiKeyInputs } from "../../provider";
import { ApiKeyProvider } from "../../provider";
import { startServerWithOrganization, whoami, type TestOrganization } from "./fixtures";
import type { TestServer } from "./testServer";

/** A real reference server with one organization, and a provider configured for it through the environment. */
export interface ProviderFixture {
  readonly server: TestServer;
  readonly org: TestOrganization;
  readonly env: NodeJS.ProcessEnv;
  provider(overrides?: { endpoint?: string; now?: () => Date }): ApiKeyProvider;
  /** Checks inputs the way the engine does before create/update: check first, then the hook. */
  checked(news: Record<string, unknown>, olds?: object): Promise<ApiKeyInputs>;
  whoami(secret: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Checks inputs the way the engine does before create/update, with the given provider; a failure throws. */
export function checkedWith(provider: () => ApiKeyProvider) {
  return async (news: Record<string, unknown>, olds: object = {}): Promise<ApiKeyInputs> => {
    const result = await provider().check(olds as Record<string, unknown>, news);
    if (result.failures && result.failures.length > 0) throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
    return result.inputs;
  };
}

export async function providerFixture(): Promise<ProviderFixture> {
  const { t: server, org } = await startServerWithOrganization("sqlite");
  const env = {
    APIKEYS_ENDPOINT: server.url,
    APIKEYS_TOKEN: org.token,
    APIKEYS_ORGANIZATION_ID: org.id,
    APIKEYS_RETRY_BASE_MS: "5",
    APIKEYS_RETRY_MAX_MS: "20",
  };
  const provider = (overrides: { endpoint?: string; now?: () => Date } = {}) =>
    new ApiKeyProvider({ env: { ...env, ...(overrides.endpoint ? { APIKEYS_ENDPOINT: overrides.endpoint } : {}) }, now: overrides.now ?? server.clock.now });
  return {
    server,
    org,
    env,
    provider,
    checked: checkedWith(provider),
    whoami: (secret) => whoami(server, secret),
    close: () => server.close(),
  };
}
