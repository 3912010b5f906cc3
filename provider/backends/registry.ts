import type { ResolvedConnection } from "../connection";
import { ConnectionConfigError } from "../connectionError";
import { KeyApiClient } from "../http/keyApiClient";
import { sharedPacer } from "../http/requestPacer";
import { retryPolicyFromEnv } from "../http/retryPolicy";
import type { BackendName } from "../inputs";
import { COVEO_HOSTS, CoveoBackend } from "./coveoBackend";
import { DidomiBackend } from "./didomi/didomiBackend";
import { DidomiSession } from "./didomi/didomiSession";
import type { KeyBackend, KeyField } from "./keyBackend";
import { ReferenceBackend } from "./referenceBackend";

/** Everything the provider knows about a key API without calling it. */
export interface BackendDescriptor {
  /** Fields the API changes in place; `diff` replaces the key for any other declared change. */
  readonly updatableFields: ReadonlySet<KeyField>;
  /**
   * How a rotation is carried out: `replace` creates a new key before the old one is deleted (with
   * the grace period); `rotate` asks the API for a successor and keeps the Pulumi resource.
   */
  readonly rotation: "replace" | "rotate";
  /** Inputs this API has no counterpart for, with what to do instead: `check` fails on them. */
  readonly unsupportedInputs: Readonly<Record<string, string>>;
  /** The longest grace period the API can honour, in seconds. */
  readonly maxGracePeriodSeconds: number;
  /** Where the API lives when no endpoint is configured. */
  defaultEndpoint?(connection: { region?: string }): string;
  create(connection: ResolvedConnection, env: NodeJS.ProcessEnv): KeyBackend;
}

const THIRTY_DAYS = 2_592_000;

/** An HTTP client that sends the connection's token as a bearer token (the reference server, Coveo). */
function bearerClient(connection: ResolvedConnection, env: NodeJS.ProcessEnv): KeyApiClient {
  return new KeyApiClient({ baseURL: connection.endpoint, authorization: `Bearer ${connection.token}`, retryPolicy: retryPolicyFromEnv(env) });
}
const COVEO_ONLY = "is a Coveo setting; remove it, or set connection.backend to \"coveo\"";
const DIDOMI_ONLY = "is a Didomi setting; remove it, or set connection.backend to \"didomi\"";

export const BACKENDS: Record<BackendName, BackendDescriptor> = {
  reference: {
    updatableFields: ReferenceBackend.UPDATABLE_FIELDS,
    rotation: "replace",
    maxGracePeriodSeconds: THIRTY_DAYS,
    unsupportedInputs: {
      allowedIps: COVEO_ONLY,
      deniedIps: COVEO_ONLY,
      lifetime: `${COVEO_ONLY} (the reference server takes expiresAt)`,
      templateId: COVEO_ONLY,
      additionalConfiguration: COVEO_ONLY,
      isInternal: DIDOMI_ONLY,
      "connection.region": COVEO_ONLY,
    },
    create: (connection, env) => new ReferenceBackend(bearerClient(connection, env), connection.organizationId),
  },
  coveo: {
    updatableFields: CoveoBackend.UPDATABLE_FIELDS,
    rotation: "rotate",
    // Coveo's rotate endpoint caps previousKeyExpirationPeriod at 30 days.
    maxGracePeriodSeconds: THIRTY_DAYS,
    unsupportedInputs: {
      environment: "has no counterpart on Coveo (an organization is either production or sandbox); remove it",
      expiresAt: "cannot be set on a Coveo key; use lifetime, an ISO-8601 duration such as P90D",
      isInternal: DIDOMI_ONLY,
    },
    defaultEndpoint: (connection) => COVEO_HOSTS[connection.region ?? "us"],
    create: (connection, env) => new CoveoBackend(bearerClient(connection, env), connection.organizationId),
  },
  didomi: {
    updatableFields: DidomiBackend.UPDATABLE_FIELDS,
    rotation: "replace",
    // Didomi deletes a key at once: an old key cannot be kept working after its replacement.
    maxGracePeriodSeconds: 0,
    unsupportedInputs: {
      privileges: "cannot be set on a Didomi key (Didomi keys carry no privileges: they act with the organization's API access); remove privileges",
      environment: "has no counterpart on Didomi; remove it",
      expiresAt: "cannot be set on a Didomi key (Didomi keys do not expire); remove it",
      allowedIps: COVEO_ONLY,
      deniedIps: COVEO_ONLY,
      lifetime: COVEO_ONLY,
      templateId: COVEO_ONLY,
      additionalConfiguration: COVEO_ONLY,
      "connection.region": COVEO_ONLY,
    },
    defaultEndpoint: () => "https://api.didomi.io/v1",
    create: (connection, env) => {
      const separator = connection.token.indexOf(":");
      if (separator <= 0) {
        throw new ConnectionConfigError("token", 'the Didomi token must be "<API key>:<secret>" (a private API key from Settings > Private API keys); set it with `pulumi config set --secret apikeys:token <key>:<secret>`');
      }
      const session = new DidomiSession(connection.endpoint, connection.token.slice(0, separator), connection.token.slice(separator + 1));
      const limit = Number(env.APIKEYS_DIDOMI_RATE_LIMIT ?? 100);
      const windowMs = Number(env.APIKEYS_DIDOMI_RATE_WINDOW_MS ?? 15_000);
      const pacer = sharedPacer(`${connection.endpoint}|${connection.organizationId}`, limit, windowMs);
      return new DidomiBackend(
        new KeyApiClient({
          baseURL: connection.endpoint,
          authorization: () => session.authorization(),
          onUnauthorized: () => session.invalidate(),
          paceAttempt: () => pacer.acquire(),
          retryPolicy: retryPolicyFromEnv(env),
        }),
        connection.organizationId,
      );
    },
  },
};
