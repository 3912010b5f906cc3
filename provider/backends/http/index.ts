import axios, { type AxiosRequestTransformer } from "axios";
import { MAX_GRACE_PERIOD_SECONDS } from "../../../shared/limits";
import type { ResolvedConnection } from "../../connection/resolvedConnection";
import { ConnectionConfigError } from "../../errors";
import { KeyApiClient } from "../../http/keyApiClient";
import { sharedPacer } from "../../http/requestPacer";
import { retryPolicyFromEnv } from "../../http/retryPolicy";
import { defineBackend, type BackendDescriptor, type ConnectionSettingsForDescriptor } from "../backendDescriptor";
import { describedCapabilities } from "./capabilities";
import type { KeyApiAuth } from "./description";
import { HttpKeyBackend } from "./httpBackend";
import { httpInputFields, type HttpInputFields } from "./inputs";
import { insecureUrlProblem, loadDescription, type LoadedDescription } from "./load";

const NO_DESCRIPTION =
  "no key API description configured for the http backend: set connection.api on the resource, `pulumi config set apikeys:api <path to a description>` " +
  "or the APIKEYS_API environment variable (the format: docs/backends.md, Your key API in a file)";

function loaded(api: string | undefined): LoadedDescription {
  if (!api) throw new ConnectionConfigError("api", NO_DESCRIPTION);
  return loadDescription(api);
}

/** The token a description's requests carry: its own environment variable's, else the connection's. */
function tokenFor(auth: KeyApiAuth, connection: Pick<ResolvedConnection, "token">, env: NodeJS.ProcessEnv): string {
  const token = (auth.tokenFromEnv ? env[auth.tokenFromEnv] : undefined) || connection.token;
  if (!token) {
    const fromEnv = auth.tokenFromEnv ? `set the ${auth.tokenFromEnv} environment variable (the description's auth.tokenFromEnv), or ` : "";
    throw new ConnectionConfigError("token", `no token for the described key API: ${fromEnv}run \`pulumi config set --secret apikeys:token <token>\``);
  }
  return token;
}

/** The Authorization value; for kind header, moved to the description's header by `moveToHeader`. */
function authorizationOf(auth: KeyApiAuth, token: string): string {
  if (auth.kind === "basic") return `Basic ${Buffer.from(token, "utf8").toString("base64")}`;
  return `${auth.prefix ?? (auth.kind === "bearer" ? "Bearer " : "")}${token}`;
}

/**
 * For `auth.kind: header`: the token leaves in the named header instead of Authorization. Axios hands
 * a request transformer the request's headers before it sends them; the default transformers (JSON)
 * run after it.
 */
function moveToHeader(header: string): AxiosRequestTransformer[] {
  const move: AxiosRequestTransformer = function (data: unknown, headers) {
    const value = headers.get("Authorization");
    headers.delete("Authorization");
    if (typeof value === "string") headers.set(header, value);
    return data;
  };
  const defaults = axios.defaults.transformRequest;
  return [move, ...(Array.isArray(defaults) ? defaults : defaults ? [defaults] : [])];
}

/** `requestsPerSecond` as the pacer's window: whole requests per second, or one request per 1/rps seconds. */
function pacing(requestsPerSecond: number): { limit: number; windowMs: number } {
  return requestsPerSecond >= 1 ? { limit: Math.floor(requestsPerSecond), windowMs: 1000 } : { limit: 1, windowMs: Math.ceil(1000 / requestsPerSecond) };
}

function createBackend(connection: ResolvedConnection, env: NodeJS.ProcessEnv): HttpKeyBackend {
  const api = loaded(connection.api);
  const { auth, requestsPerSecond } = api.description;
  const endpoint = connection.endpoint || api.description.baseUrl;
  const insecure = insecureUrlProblem(endpoint);
  if (insecure) throw new ConnectionConfigError("endpoint", `the http backend's endpoint ${insecure}`);
  const pacer =
    requestsPerSecond === undefined ? undefined : sharedPacer(`http|${endpoint}`, pacing(requestsPerSecond).limit, pacing(requestsPerSecond).windowMs);
  const client = new KeyApiClient({
    baseURL: endpoint,
    authorization: authorizationOf(auth, tokenFor(auth, connection, env)),
    retryPolicy: retryPolicyFromEnv(env),
    ...(pacer ? { paceAttempt: () => pacer.acquire() } : {}),
  });
  return new HttpKeyBackend(
    api,
    client,
    describedCapabilities(api).updatableFields,
    auth.kind === "header" && auth.header ? moveToHeader(auth.header) : undefined,
  );
}

/** The descriptor for one description file: what `check`, `diff` and the hooks read for a connection. */
function describedDescriptor(settings: ConnectionSettingsForDescriptor, env: NodeJS.ProcessEnv): BackendDescriptor {
  const api = loaded(settings.api);
  if (settings.endpoint) {
    const insecure = insecureUrlProblem(settings.endpoint);
    if (insecure) throw new ConnectionConfigError("endpoint", `the http backend's endpoint ${insecure}`);
  }
  const capabilities = describedCapabilities(api);
  const { auth, baseUrl, name } = api.description;
  const tokenInEnv = auth.tokenFromEnv !== undefined && (env[auth.tokenFromEnv] ?? "") !== "";
  return {
    ...http,
    supportedInputs: capabilities.supportedInputs,
    unsupportedHints: capabilities.unsupportedHints,
    canDisable: capabilities.canDisable,
    updatableFields: capabilities.updatableFields,
    rollsInPlace: capabilities.rollsInPlace,
    graceKeptBy: capabilities.graceKeptBy,
    reportsLastUse: capabilities.reportsLastUse,
    maxGracePeriodSeconds: capabilities.maxGracePeriodSeconds,
    // The description supplies the endpoint and the organization; the token too when its variable is set.
    requiredSettings: tokenInEnv ? [] : ["token"],
    defaultEndpoint: () => baseUrl,
    defaultOrganizationId: () => name,
    forConnection: undefined,
  };
}

/**
 * Any key API described in a file (`connection.api`): see description.ts for the format. Until a
 * connection names its file, the descriptor says what some description may allow (so a preview with a
 * connection not known yet refuses nothing a description could take); `forConnection` reads the file.
 */
// Annotated: the registry derives the input schema from these types, so they must not be inferred.
export const http: BackendDescriptor<HttpInputFields> = defineBackend({
  name: "http",
  inputFields: httpInputFields,
  supportedInputs: ["scopes", "expiresAt", "lifetime", "rotation.renewBeforeExpiry", "rotation.rollOnAdopt"],
  unsupportedHints: {
    environment: "has no counterpart in a described API; remove it",
    privileges: "cannot be sent to a described API; list what the key may do in scopes (strings, as the API spells them)",
  },
  updatableFields: new Set(),
  // A roll, or a successor while the stack keeps the old key through the grace (no roll described).
  rotation: "rotate",
  rollsInPlace: false,
  graceKeptBy: "stack",
  reportsLastUse: false,
  maxGracePeriodSeconds: MAX_GRACE_PERIOD_SECONDS,
  requiredSettings: ["token"],
  forConnection: describedDescriptor,
  create: createBackend,
});
