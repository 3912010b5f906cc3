import { MAX_GRACE_PERIOD_SECONDS } from "../../../shared/limits";
import { bearerClient } from "../../http/bearerClient";
import { defineBackend, type BackendDescriptor } from "../backendDescriptor";
import { CoveoBackend } from "./coveoBackend";
import { coveoErrorBody } from "./errorBody";
import { COVEO_HOSTS, COVEO_REGIONS, coveoInputFields, isCoveoRegion, type CoveoInputFields, type CoveoRegion } from "./inputs";

/** Coveo's Authorization Server: keys rotate in place through its rotate endpoint. */
// Annotated: the registry derives the input schema from these types, so they must not be inferred.
export const coveo: BackendDescriptor<CoveoInputFields, CoveoRegion> = defineBackend({
  name: "coveo",
  inputFields: coveoInputFields,
  supportedInputs: [
    "privileges",
    "lifetime",
    "rotation.renewBeforeExpiry",
    "rotation.onExposure",
    "connection.region",
    "allowedIps",
    "deniedIps",
    "templateId",
    "additionalConfiguration",
  ],
  unsupportedHints: {
    environment: "has no counterpart on Coveo (an organization is either production or sandbox); remove it",
    expiresAt: "cannot be set on a Coveo key; use lifetime, an ISO-8601 duration such as P90D",
    "rotation.rollOnAdopt":
      "cannot be done on Coveo: its rotate endpoint needs the rotation secret issued with the key, which an adopted key's stack never saw; remove adoptKeyId to create a key the stack can rotate",
  },
  updatableFields: CoveoBackend.UPDATABLE_FIELDS,
  rotation: "rotate",
  // Coveo's rotate makes a successor from the rotation secret an adopted key does not have.
  rollsInPlace: false,
  graceKeptBy: "api",
  // ApiKeyModel.lastUsedDate ("approximate").
  reportsLastUse: true,
  // Coveo's rotate endpoint caps previousKeyExpirationPeriod at 30 days.
  maxGracePeriodSeconds: MAX_GRACE_PERIOD_SECONDS,
  regions: COVEO_REGIONS,
  defaultEndpoint: ({ region = "us" }) => (isCoveoRegion(region) ? COVEO_HOSTS[region] : undefined),
  create: (connection, env) => new CoveoBackend(bearerClient(connection, env, { parseError: coveoErrorBody }), connection.organizationId),
});
