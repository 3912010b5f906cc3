import { descriptorFor, type BackendDescriptor } from "../backends/backendDescriptor";
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

type RequiredSetting = Exclude<keyof ConnectionInputs, "region" | "backend" | "api">;

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
      /** What the connection's backend can do (for a backend described in a file, read from it). */
      readonly descriptor: BackendDescriptor;
      /** A wrong description, or each required setting that has no value, in the order endpoint, token, organizationId. */
      readonly problems: ConnectionConfigError[];
    }
  /** An unknown backend: no connection, and that problem alone. */
  | { readonly connection?: undefined; readonly descriptor?: undefined; readonly problems: [ConnectionConfigError] };

function resolve(override: ConnectionInputs | undefined, config: ProviderConfig, env: NodeJS.ProcessEnv, requireToken: boolean): Resolution {
  const backend = resolveBackend(override?.backend, config, env);
  if (!isBackendName(backend)) return { problems: [new ConnectionConfigError("backend", unknownBackendMessage(backend))] };
  const region = override?.region ?? config.region ?? env[CONNECTION_SETTINGS.region.envVar];
  const api = override?.api ?? config.api ?? env[CONNECTION_SETTINGS.api.envVar];
  const declaredEndpoint = override?.endpoint ?? config.endpoint ?? env[CONNECTION_SETTINGS.endpoint.envVar];
  const problems: ConnectionConfigError[] = [];
  let descriptor: BackendDescriptor = BACKENDS[backend];
  try {
    // A backend described in a file (http) reads it here: a wrong one is this connection's problem.
    descriptor = descriptorFor(descriptor, { api, endpoint: declaredEndpoint, region }, env);
  } catch (error) {
    if (!(error instanceof ConnectionConfigError)) throw error;
    problems.push(error);
  }
  // A vendor's public API is the default endpoint; the reference server has none (it is yours).
  const defaults: Partial<Record<RequiredSetting, string>> = {
    endpoint: descriptor.defaultEndpoint?.({ region }),
    organizationId: descriptor.defaultOrganizationId?.(),
  };
  // A description that could not be read says nothing of what else is needed: its problem alone.
  const required = problems.length > 0 ? [] : (descriptor.requiredSettings ?? ["endpoint", "token", "organizationId"]);
  const pick = (field: RequiredSetting, requested = true): string => {
    const value = override?.[field] ?? config[field] ?? env[CONNECTION_SETTINGS[field].envVar] ?? defaults[field];
    if ((value === undefined || value === "") && requested && required.includes(field)) problems.push(missing(field));
    return value ?? "";
  };
  return {
    connection: {
      endpoint: pick("endpoint"),
      token: pick("token", requireToken),
      organizationId: pick("organizationId"),
      backend,
      ...(region ? { region } : {}),
      ...(api ? { api } : {}),
    },
    descriptor,
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
 * For `check`: every connection setting a key would lack at deploy time (the token included), or its
 * wrong description file, and what its backend can do (for a backend described in a file, read from
 * it, so `check` judges the inputs by it). A missing setting is a local fact, so preview reports all
 * of them at once instead of each create failing later.
 */
export function checkConnection(
  override: ConnectionInputs | undefined,
  config: ProviderConfig,
  env: NodeJS.ProcessEnv,
): { readonly descriptor?: BackendDescriptor; readonly problems: ConnectionConfigError[] } {
  const { descriptor, problems } = resolve(override, config, env, true);
  return { descriptor, problems };
}

/**
 * What the backend of a resolved connection can do: its descriptor, or for a backend described in a
 * file (http) the descriptor its description gives. Throws a ConnectionConfigError for a wrong file.
 */
export function connectionDescriptor(connection: KnownConnection, env: NodeJS.ProcessEnv): BackendDescriptor {
  return descriptorFor(BACKENDS[connection.backend], connection, env);
}
