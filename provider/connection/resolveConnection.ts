import { BACKENDS, isBackendName, unknownBackendMessage, type BackendName } from "../backends/registry";
import { ConnectionConfigError } from "../errors";
import type { ConnectionInputs } from "../keyState/inputs";
import type { ProviderConfig, ResolvedConnection } from "./resolvedConnection";
import { CONNECTION_SETTINGS } from "./settings";

export type { ProviderConfig, ResolvedConnection };

/**
 * The backend a resource asks for: its own `connection.backend`, then stack config, then the
 * environment. A name, not yet a backend: `isBackendName` tells whether some folder provides it.
 */
export function resolveBackend(declared: unknown, config: ProviderConfig, env: NodeJS.ProcessEnv): string {
  return typeof declared === "string" ? declared : (config.backend ?? env[CONNECTION_SETTINGS.backend.envVar] ?? "reference");
}

type RequiredSetting = Exclude<keyof ConnectionInputs, "region" | "backend">;

function missing(field: RequiredSetting): ConnectionConfigError {
  const { configKey, envVar, placeholder, secret } = CONNECTION_SETTINGS[field];
  return new ConnectionConfigError(
    field,
    `no API key ${field} configured: run \`pulumi config set${secret ? " --secret" : ""} ${configKey} ${placeholder}\`, ` +
      `or set the ${envVar} environment variable or connection.${field} on the resource`,
  );
}

/** A resolved connection whose backend is a registry name. */
export type KnownConnection = ResolvedConnection & { readonly backend: BackendName };

type Resolution =
  | {
      readonly connection: KnownConnection;
      /** Each required setting that has no value, in the order endpoint, token, organizationId. */
      readonly problems: ConnectionConfigError[];
    }
  /** An unknown backend: no connection, and that problem alone. */
  | { readonly connection?: undefined; readonly problems: [ConnectionConfigError] };

function resolve(override: ConnectionInputs | undefined, config: ProviderConfig, env: NodeJS.ProcessEnv, requireToken: boolean): Resolution {
  const backend = resolveBackend(override?.backend, config, env);
  if (!isBackendName(backend)) return { problems: [new ConnectionConfigError("backend", unknownBackendMessage(backend))] };
  const descriptor = BACKENDS[backend];
  const region = override?.region ?? config.region ?? env[CONNECTION_SETTINGS.region.envVar];
  // A vendor's public API is the default endpoint; the reference server has none (it is yours).
  const defaultEndpoint = descriptor.defaultEndpoint?.({ region });
  const problems: ConnectionConfigError[] = [];
  const pick = (field: RequiredSetting, required: boolean): string => {
    const value = override?.[field] ?? config[field] ?? env[CONNECTION_SETTINGS[field].envVar] ?? (field === "endpoint" ? defaultEndpoint : undefined);
    if ((value === undefined || value === "") && required) problems.push(missing(field));
    return value ?? "";
  };
  return {
    connection: {
      endpoint: pick("endpoint", true),
      token: pick("token", requireToken),
      organizationId: pick("organizationId", true),
      backend,
      ...(region ? { region } : {}),
    },
    problems,
  };
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
): KnownConnection {
  const { connection, problems } = resolve(override, config, env, options.requireToken);
  if (!connection || problems.length > 0) throw problems[0];
  return connection;
}

/**
 * Every connection setting a key would lack at deploy time (the token included), for `check`: a
 * missing setting is a local fact, so preview reports all of them at once instead of each create
 * failing later.
 */
export function missingConnectionSettings(override: ConnectionInputs | undefined, config: ProviderConfig, env: NodeJS.ProcessEnv): ConnectionConfigError[] {
  return resolve(override, config, env, true).problems;
}
