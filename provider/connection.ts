import { ConnectionConfigError } from "./connectionError";
import type { BackendName, ConnectionInputs } from "./inputs";

/** Stack configuration the provider receives through `configure` (namespace `apikeys:`). */
export interface ProviderConfig {
  readonly endpoint?: string;
  readonly token?: string;
  readonly organizationId?: string;
  readonly backend?: string;
}

export interface ResolvedConnection {
  readonly endpoint: string;
  readonly token: string;
  readonly organizationId: string;
  readonly backend: BackendName;
}

/**
 * Each setting comes from the resource's `connection`, then stack config, then the environment.
 * Read at call time, never captured: a token captured at module scope would be serialized into state.
 */
export function resolveConnection(
  override: ConnectionInputs | undefined,
  config: ProviderConfig,
  env: NodeJS.ProcessEnv,
  options: { requireToken: boolean } = { requireToken: true },
): ResolvedConnection {
  const pick = (field: keyof ConnectionInputs, configKey: string, envVar: string, required: boolean): string => {
    const value = override?.[field] ?? config[field] ?? env[envVar];
    if ((value === undefined || value === "") && required) {
      throw new ConnectionConfigError(
        field,
        `no API key ${field} configured: set connection.${field} on the resource, \`pulumi config set ${configKey}${field === "token" ? " --secret" : ""} <value>\`, or the ${envVar} environment variable`,
      );
    }
    return value ?? "";
  };
  const backend = (override?.backend ?? config.backend ?? env.APIKEYS_BACKEND ?? "reference") as BackendName;
  return {
    endpoint: pick("endpoint", "apikeys:endpoint", "APIKEYS_ENDPOINT", true),
    token: pick("token", "apikeys:token", "APIKEYS_TOKEN", options.requireToken),
    organizationId: pick("organizationId", "apikeys:organizationId", "APIKEYS_ORGANIZATION_ID", true),
    backend,
  };
}
