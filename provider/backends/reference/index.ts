import { MAX_GRACE_PERIOD_SECONDS } from "../../../shared/limits";
import { bearerClient } from "../../http/bearerClient";
import { defineBackend, type BackendDescriptor } from "../backendDescriptor";
import { ReferenceBackend } from "./referenceBackend";

/** The project's own key server (`server/`), and any service that implements its OpenAPI document. */
// Annotated: the registry derives the input schema from these types, so they must not be inferred.
export const reference: BackendDescriptor<Record<never, never>> = defineBackend({
  name: "reference",
  inputFields: () => ({}),
  supportedInputs: ["environment", "privileges", "expiresAt", "lifetime", "rotation.renewBeforeExpiry", "rotation.rollOnAdopt"],
  unsupportedHints: {},
  updatableFields: ReferenceBackend.UPDATABLE_FIELDS,
  rotation: "replace",
  rollsInPlace: true,
  graceKeptBy: "api",
  // The server records every verification (`lastUsedAt`).
  reportsLastUse: true,
  maxGracePeriodSeconds: MAX_GRACE_PERIOD_SECONDS,
  create: (connection, env) => new ReferenceBackend(bearerClient(connection, env), connection.organizationId),
});
