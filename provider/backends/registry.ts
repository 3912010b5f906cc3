import type { ResolvedConnection } from "../connection";
import { KeyApiClient } from "../http/keyApiClient";
import { retryPolicyFromEnv } from "../http/retryPolicy";
import type { BackendName } from "../inputs";
import type { KeyBackend, KeyField } from "./keyBackend";
import { ReferenceBackend } from "./referenceBackend";

interface BackendDescriptor {
  /** Known without a network call, so `diff` can decide update vs replace offline. */
  readonly updatableFields: ReadonlySet<KeyField>;
  create(connection: ResolvedConnection, env: NodeJS.ProcessEnv): KeyBackend;
}

export const BACKENDS: Record<BackendName, BackendDescriptor> = {
  reference: {
    updatableFields: ReferenceBackend.UPDATABLE_FIELDS,
    create: (connection, env) =>
      new ReferenceBackend(
        new KeyApiClient({ baseURL: connection.endpoint, authorization: `Bearer ${connection.token}`, retryPolicy: retryPolicyFromEnv(env) }),
        connection.organizationId,
      ),
  },
};
