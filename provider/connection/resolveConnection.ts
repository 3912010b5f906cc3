import { BACKENDS, backendNamed, type BackendName } from "../backends/registry";
import { ConnectionConfigError } from "../errors";
import type { ConnectionInputs } from "../keyState/inputs";
import type { ProviderConfig, ResolvedConnection } from "./resolvedConnection";

export type { ProviderConfig, ResolvedConnection };

/** The backend a resource uses: its own `connection.backend`, then stack config, then the environment. */
export function resolveBackend(declared: unknown, config: ProviderConfig, env: NodeJS.ProcessEnv): BackendName {
  return (typeof declared === "string" ? declared : (config.backend ?? env.APIKEYS_BACKEND ?? "reference")) as BackendName;
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
): ResolvedConnection & { readonly backend: BackendName } {
  const backend = resolveBackend(override?.backend, config, env);
  const descriptor = backendNamed(backend);
  if (!descriptor) throw new ConnectionConfigError("backend", `unknown key API backend "${backend}": use one of ${Object.keys(BACKENDS).join(", ")}`);
  const region = override?.region ?? config.region ?? env.APIKEYS_REGION;
  // A vendor's public API is the default endpoint; the reference server has none (it is yours).
  const defaultEndpoint = descriptor.defaultEndpoint?.({ region });
  const pick = (field: Exclude<keyof ConnectionInputs, "region">, configKey: string, envVar: string, required: boolean): string => {
    const value = override?.[field] ?? config[field] ?? env[envVar] ?? (field === "endpoint" ? defaultEndpoint : undefined);
    if ((value === undefined || value === "") && required) {
      throw new ConnectionConfigError(
        field,
        `no API key ${field} configured: set connection.${field} on the resource, \`pulumi config set ${configKey}${field === "token" ? " --secret" : ""} <value>\`, or the ${envVar} environment variable`,
      );
    }
    return value ?? "";
  };
  return {
    endpoint: pick("endpoint", "apikeys:endpoint", "APIKEYS_ENDPOINT", true),
    token: pick("token", "apikeys:token", "APIKEYS_TOKEN", options.requireToken),
    organizationId: pick("organizationId", "apikeys:organizationId", "APIKEYS_ORGANIZATION_ID", true),
    backend,
    ...(region ? { region } : {}),
  };
}
