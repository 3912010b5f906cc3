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
  readonly endpoint: string;
  readonly token: string;
  readonly organizationId: string;
  /** A name from the backend registry (`BACKEND_NAMES`). */
  readonly backend: string;
  readonly region?: string;
  /** The http backend's key API description file, as configured (relative to the program's directory). */
  readonly api?: string;
}
