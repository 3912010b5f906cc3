import { MAX_GRACE_PERIOD_SECONDS } from "../../../shared/limits";
import { ConnectionConfigError } from "../../errors";
import { KeyApiClient } from "../../http/keyApiClient";
import { sharedPacer } from "../../http/requestPacer";
import { retryPolicyFromEnv } from "../../http/retryPolicy";
import { defineBackend, type BackendDescriptor } from "../backendDescriptor";
import { DidomiBackend } from "./didomiBackend";
import { DidomiSession } from "./didomiSession";
import { didomiInputFields, type DidomiInputFields } from "./inputs";

/** Didomi's Platform API: session tokens from a private API key, requests paced per organization. */
// Annotated: the registry derives the input schema from these types, so they must not be inferred.
export const didomi: BackendDescriptor<DidomiInputFields> = defineBackend({
  name: "didomi",
  inputFields: didomiInputFields,
  supportedInputs: ["isInternal"],
  unsupportedHints: {
    privileges: "cannot be set on a Didomi key (Didomi keys carry no privileges: they act with the organization's API access); remove privileges",
    environment: "has no counterpart on Didomi; remove it",
    expiresAt: "cannot be set on a Didomi key (Didomi keys do not expire); remove it",
    lifetime: "cannot be set on a Didomi key (Didomi keys do not expire); remove it",
    "rotation.renewBeforeExpiry": "has nothing to renew before: Didomi keys do not expire; use rotation.rotateAfterDays",
    "rotation.rollOnAdopt": "cannot be done on Didomi: it cannot issue a new secret for an existing key; remove adoptKeyId to create a key instead",
  },
  updatableFields: DidomiBackend.UPDATABLE_FIELDS,
  // Didomi cannot give a key a new secret or schedule a deletion: a rotation makes a successor and the
  // stack keeps the old key until the grace period is over (two-slot rotation; see pendingRevocations).
  rotation: "rotate",
  rollsInPlace: false,
  graceKeptBy: "stack",
  // Didomi's documented key fields have no last use.
  reportsLastUse: false,
  maxGracePeriodSeconds: MAX_GRACE_PERIOD_SECONDS,
  defaultEndpoint: () => "https://api.didomi.io/v1",
  create: (connection, env) => {
    const separator = connection.token.indexOf(":");
    if (separator <= 0) {
      throw new ConnectionConfigError(
        "token",
        'the Didomi token must be "<API key>:<secret>" (a private API key from Settings > Private API keys); set it with `pulumi config set --secret apikeys:token <key>:<secret>`',
      );
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
});
