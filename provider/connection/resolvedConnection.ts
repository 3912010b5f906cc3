/** Stack configuration the provider receives through `configure` (namespace `apikeys:`). */
export interface ProviderConfig {
  readonly endpoint?: string;
  readonly token?: string;
  readonly organizationId?: string;
  readonly backend?: string;
  readonly region?: string;
  /** The http backend's key API description: a path to a JSON or YAML file (docs/backends.md). */
  readonly api?: string;
}

/** The settings one call to a key API uses, each resolved from the resource, stack config or environment. */
export interface ResolvedConnection {
  /** The API's base URL (`connection.endpoint`, or the backend's default for the region). */
  readonly endpoint: string;
  /** The credential that manages keys; never logged, never in a message or in state in plain text. */
  readonly token: string;
  /** The organization (account, project) the keys belong to. */
  readonly organizationId: string;
  /** A name from the backend registry (`BACKEND_NAMES`). */
  readonly backend: string;
  /** `connection.region`, for APIs whose region picks the host. */
  readonly region?: string;
  /** The http backend's key API description file, as configured (relative to the program's directory). */
  readonly api?: string;
}
