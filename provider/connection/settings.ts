import type { Equal, Expect } from "../../shared/typeEquality";
import type { ConnectionInputs } from "../keyState/inputs";
import { keysOf } from "../records";
import type { ConnectionArgs } from "../resource";
import type { ProviderConfig, ResolvedConnection } from "./resolvedConnection";

/** Where one connection setting comes from besides the resource, and how a user sets it. */
export interface ConnectionSetting {
  /** The stack config key (`pulumi config set <configKey> …`), read by both providers' `configure`. */
  readonly configKey: string;
  /** The environment variable read when neither the resource nor stack config sets it. */
  readonly envVar: string;
  /** What the `pulumi config set` command in a message shows as the value. */
  readonly placeholder: string;
  readonly secret: boolean;
}

/** The namespace of the provider's stack config: `apikeys:endpoint`, `apikeys:token`, ... */
export const CONFIG_NAMESPACE = "apikeys";

/**
 * Every connection setting, in the order ProviderConfig lists them: the one table the dynamic
 * provider, the native provider and the connection's resolution read.
 */
export const CONNECTION_SETTINGS: { readonly [Name in keyof ProviderConfig]-?: ConnectionSetting } = {
  endpoint: { configKey: `${CONFIG_NAMESPACE}:endpoint`, envVar: "APIKEYS_ENDPOINT", placeholder: "<url>", secret: false },
  token: { configKey: `${CONFIG_NAMESPACE}:token`, envVar: "APIKEYS_TOKEN", placeholder: "<token>", secret: true },
  organizationId: { configKey: `${CONFIG_NAMESPACE}:organizationId`, envVar: "APIKEYS_ORGANIZATION_ID", placeholder: "<organization id>", secret: false },
  backend: { configKey: `${CONFIG_NAMESPACE}:backend`, envVar: "APIKEYS_BACKEND", placeholder: "<backend>", secret: false },
  region: { configKey: `${CONFIG_NAMESPACE}:region`, envVar: "APIKEYS_REGION", placeholder: "<region>", secret: false },
  api: { configKey: `${CONFIG_NAMESPACE}:api`, envVar: "APIKEYS_API", placeholder: "<path to a key API description>", secret: false },
};

/** The settings' names, in the table's order. */
export const CONNECTION_SETTING_NAMES: ReadonlyArray<keyof ProviderConfig> = keysOf(CONNECTION_SETTINGS);

/** Stack configuration from a lookup by setting (and its config key): every setting, in order. */
export function providerConfigFrom(read: (name: keyof ProviderConfig, setting: ConnectionSetting) => string | undefined): ProviderConfig {
  return Object.fromEntries(CONNECTION_SETTING_NAMES.map((name) => [name, read(name, CONNECTION_SETTINGS[name])]));
}

/**
 * Compile-time checks, no code: a connection setting is a row of CONNECTION_SETTINGS (keyed by
 * ProviderConfig, so neither can have one the other lacks) and a field of the resource's
 * `connection` (its zod schema, ConnectionArgs) and of the connection it resolves to. A setting
 * added in one place and not the others fails `tsc` here.
 */
export type ConnectionSettingChecks = [
  Expect<Equal<keyof typeof CONNECTION_SETTINGS, keyof ProviderConfig>>,
  Expect<Equal<keyof ConnectionInputs, keyof ProviderConfig>>,
  Expect<Equal<keyof ConnectionArgs, keyof ProviderConfig>>,
  Expect<Equal<keyof ResolvedConnection, keyof ProviderConfig>>,
];
