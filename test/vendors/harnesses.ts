import { resolve } from "node:path";
import type { ApiKeyInputs, ApiKeyOutputs } from "../../provider";
import { ApiKeyProvider } from "../../provider";
import { describedCapabilities } from "../../provider/backends/http/capabilities";
import { loadDescription } from "../../provider/backends/http/load";
import { CoveoEmulator } from "../emulators/coveo/coveoEmulator";
import { DidomiEmulator } from "../emulators/didomi/didomiEmulator";
import { searchPrivilege } from "../helpers/fixtures";
import type { JupyterHub } from "../helpers/jupyterHub";
import { checkedWith, providerFixture } from "../helpers/providerFixture";

/** What a key looks like on the vendor's side, read from the vendor (or emulator) directly. */
export interface VendorKeyView {
  readonly displayName: string;
  readonly description: string;
  readonly enabled: boolean;
  readonly privilegeCount: number;
  /** Everything the vendor answers for the key on a read, to search for the secret. */
  readonly readAnswer: string;
}

/** The hooks the behaviour suite calls: the dynamic provider's, or the same through the native provider's gRPC service. */
export type ProviderHooks = {
  check(olds: object | undefined, news: object): Promise<{ inputs: ApiKeyInputs; failures: { property: string; reason: string }[] }>;
  diff(id: string, olds: ApiKeyOutputs, news: ApiKeyInputs): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
  create(inputs: ApiKeyInputs): Promise<{ id: string; outs?: ApiKeyOutputs }>;
  read(id: string, props?: ApiKeyOutputs): Promise<{ id?: string; props?: ApiKeyOutputs }>;
  update(id: string, olds: ApiKeyOutputs, news: ApiKeyInputs): Promise<{ outs?: ApiKeyOutputs }>;
  delete(id: string, props: ApiKeyOutputs): Promise<void>;
};

/** One backend under the shared behavioural suite: a provider wired to it and a view of its keys. */
export interface BackendHarness {
  readonly name: "reference" | "coveo" | "didomi" | "http";
  readonly supportsPrivileges: boolean;
  /** The scopes every declaration of the suite has, on a described API that takes scopes. */
  readonly scopes?: string[];
  /** One more scope the API grants, for the scope change. */
  readonly extraScope?: string;
  readonly privilegesUpdateInPlace: boolean;
  readonly rotation: "replace" | "rotate";
  /** A rotation gives the same key a new secret (a roll) instead of a successor key. */
  readonly rollsInPlace?: boolean;
  /** Whether a secret works on the API itself (where the harness can ask it). */
  authenticates?(secret: string): Promise<boolean>;
  provider(): ProviderHooks;
  checked(news: Record<string, unknown>, olds?: object): Promise<ApiKeyInputs>;
  remote(id: string): Promise<VendorKeyView | undefined>;
  count(): Promise<number>;
  renameAndDisableOutOfBand(id: string, name: string): Promise<void>;
  deleteOutOfBand(id: string): Promise<void>;
  createByHand(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The behaviours of the suite an API lacks, each with the reason (read from its description for a
 * described API): the suite names them in the test's title and checks what happens instead.
 */
export interface BehaviourSupport {
  /** A rename is not an in-place update: it replaces the key. */
  readonly rename?: string;
  /** Keys cannot be disabled: `check` refuses `enabled: false`. */
  readonly disable?: string;
  /** Nothing but a deletion can change a key outside Pulumi (no rename, no disable by hand). */
  readonly editByHand?: string;
  /** The key's rights are scopes (strings), not privileges: `check` refuses privileges, and a scope change replaces the key when it is not updated in place. */
  readonly privileges?: string;
}

const fast = { APIKEYS_RETRY_BASE_MS: "5", APIKEYS_RETRY_MAX_MS: "20" };

/** The JupyterHub description (examples/key-apis/jupyterhub.yaml), by absolute path. */
export const JUPYTERHUB_DESCRIPTION = resolve(__dirname, "../../examples/key-apis/jupyterhub.yaml");

/** What the suite cannot do on a described API, read from its description (and what its API offers by hand). */
export function describedSupport(file: string, byHand: { rename: boolean; disable: boolean }): BehaviourSupport {
  const loaded = loadDescription(file);
  const capabilities = describedCapabilities(loaded);
  const name = loaded.description.name;
  return {
    ...(capabilities.updatableFields.has("displayName")
      ? {}
      : { rename: `${name}'s description has no update for displayName (update.fields), so a rename replaces the key` }),
    ...(capabilities.canDisable ? {} : { disable: `${name}'s description sends no {enabled}, so check refuses enabled: false` }),
    ...(byHand.rename || byHand.disable ? {} : { editByHand: `${name} offers no way to rename or disable a key, by hand either` }),
    privileges: `${name}'s description takes scopes, not privileges, so check refuses privileges${
      capabilities.updatableFields.has("scopes") ? "; scopes update in place" : ", and a scope change replaces the key (no update for scopes)"
    }`,
  };
}

export async function referenceHarness(): Promise<BackendHarness> {
  const f = await providerFixture();
  const keysPath = `/v1/organizations/${f.org.id}/keys`;
  const api = (method: string, path: string, body?: unknown) => f.server.api(method, path, { token: f.org.token, body });
  return {
    name: "reference",
    supportsPrivileges: true,
    privilegesUpdateInPlace: true,
    rotation: "replace",
    provider: () => f.provider(),
    checked: (news, olds) => f.checked(news, olds),
    async remote(id) {
      const r = await api("GET", `${keysPath}/${id}`);
      if (r.status === 404 || r.body.status === "revoked") return undefined;
      return {
        displayName: r.body.displayName,
        description: r.body.description,
        enabled: r.body.enabled,
        privilegeCount: r.body.privileges.length,
        readAnswer: JSON.stringify(r.body),
      };
    },
    async count() {
      return (await api("GET", keysPath)).body.items.length;
    },
    async renameAndDisableOutOfBand(id, name) {
      await api("PATCH", `${keysPath}/${id}`, { displayName: name, enabled: false });
    },
    async deleteOutOfBand(id) {
      await api("DELETE", `${keysPath}/${id}`);
    },
    async createByHand(name) {
      return (await api("POST", keysPath, { displayName: name, environment: "test", privileges: [] })).body.id;
    },
    close: () => f.close(),
  };
}

export async function coveoHarness(): Promise<BackendHarness & { emulator: CoveoEmulator; env: NodeJS.ProcessEnv }> {
  const emulator = await CoveoEmulator.start({ organizationId: "acmeproduction1x2y3z", accessToken: `oauth-${Math.random().toString(36).slice(2)}` });
  const env = {
    ...fast,
    APIKEYS_BACKEND: "coveo",
    APIKEYS_ENDPOINT: emulator.url,
    APIKEYS_TOKEN: emulator.options.accessToken,
    APIKEYS_ORGANIZATION_ID: emulator.options.organizationId,
  };
  const provider = () => new ApiKeyProvider({ env });
  return {
    name: "coveo",
    emulator,
    env,
    supportsPrivileges: true,
    privilegesUpdateInPlace: false,
    rotation: "rotate",
    provider,
    checked: checkedWith(provider),
    async remote(id) {
      const k = emulator.keys.get(id);
      if (!k || k.status === "EXPIRED") return undefined;
      const answer = await fetch(`${emulator.url}/rest/organizations/${k.organizationId}/apikeys/${id}`, {
        headers: { authorization: `Bearer ${emulator.options.accessToken}` },
      });
      return {
        displayName: k.displayName,
        description: k.description,
        enabled: k.enabled,
        privilegeCount: k.privileges.length,
        readAnswer: await answer.text(),
      };
    },
    async count() {
      return [...emulator.keys.values()].filter((k) => k.status !== "EXPIRED").length;
    },
    async renameAndDisableOutOfBand(id, name) {
      const k = emulator.keys.get(id)!;
      k.displayName = name;
      k.enabled = false;
    },
    async deleteOutOfBand(id) {
      emulator.keys.delete(id);
    },
    async createByHand(name) {
      const r = await fetch(`${emulator.url}/rest/organizations/${emulator.options.organizationId}/apikeys`, {
        method: "POST",
        headers: { authorization: `Bearer ${emulator.options.accessToken}`, "content-type": "application/json" },
        body: JSON.stringify({ displayName: name, privileges: [searchPrivilege] }),
      });
      return ((await r.json()) as { id: string }).id;
    },
    close: () => emulator.close(),
  };
}

export async function didomiHarness(
  options: { tokenTtlMs?: number; rateLimit?: { limit: number; windowMs: number }; travelMs?: (n: number) => number } = {},
): Promise<BackendHarness & { emulator: DidomiEmulator; env: NodeJS.ProcessEnv }> {
  const apiKey = `key-${Math.random().toString(36).slice(2)}`;
  const apiSecret = `secret-${Math.random().toString(36).slice(2)}`;
  const emulator = await DidomiEmulator.start({ organizationId: "acme-org", apiKey, apiSecret, ...options });
  const env: NodeJS.ProcessEnv = {
    ...fast,
    APIKEYS_BACKEND: "didomi",
    APIKEYS_ENDPOINT: emulator.url,
    APIKEYS_TOKEN: `${apiKey}:${apiSecret}`,
    APIKEYS_ORGANIZATION_ID: "acme-org",
  };
  if (options.rateLimit) {
    env.APIKEYS_DIDOMI_RATE_LIMIT = String(options.rateLimit.limit);
    env.APIKEYS_DIDOMI_RATE_WINDOW_MS = String(options.rateLimit.windowMs);
  }
  const provider = () => new ApiKeyProvider({ env });
  return {
    name: "didomi",
    emulator,
    env,
    supportsPrivileges: false,
    privilegesUpdateInPlace: false,
    rotation: "rotate",
    provider,
    checked: checkedWith(provider),
    async remote(id) {
      const k = emulator.keys.get(id);
      if (!k) return undefined;
      const session = await fetch(`${emulator.url}/sessions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ type: "api-key", key: apiKey, secret: apiSecret }),
      });
      const { access_token } = (await session.json()) as { access_token: string };
      const answer = await fetch(`${emulator.url}/keys/${id}`, { headers: { authorization: `Bearer ${access_token}` } });
      return { displayName: k.name, description: k.description, enabled: k.enabled, privilegeCount: 0, readAnswer: await answer.text() };
    },
    async count() {
      return emulator.keys.size;
    },
    async renameAndDisableOutOfBand(id, name) {
      const k = emulator.keys.get(id)!;
      k.name = name;
      k.enabled = false;
    },
    async deleteOutOfBand(id) {
      emulator.keys.delete(id);
    },
    async createByHand(name) {
      const at = new Date().toISOString();
      const id = `hand-${Math.random().toString(36).slice(2)}`;
      emulator.keys.set(id, {
        id,
        organization_id: "acme-org",
        name,
        description: "",
        is_internal: false,
        enabled: true,
        created_at: at,
        updated_at: at,
        secret: "s",
      });
      return id;
    },
    close: () => emulator.close(),
  };
}

/**
 * JupyterHub's tokens through the http backend and the description examples/key-apis/jupyterhub.yaml
 * alone, on a real hub (test/helpers/jupyterHub.ts) the caller starts once for the whole suite: each
 * case starts from no tokens, and leaves none behind. The token comes from the description's own
 * environment variable (JUPYTERHUB_API_TOKEN).
 */
export async function jupyterHubHarness(hub: JupyterHub): Promise<BackendHarness & { env: NodeJS.ProcessEnv }> {
  const removeAll = async () => {
    for (const token of await hub.tokens()) await hub.api("DELETE", `/users/${hub.user}/tokens/${token.id}`);
  };
  await removeAll();
  const env: NodeJS.ProcessEnv = {
    ...fast,
    APIKEYS_BACKEND: "http",
    APIKEYS_API: JUPYTERHUB_DESCRIPTION,
    APIKEYS_ENDPOINT: hub.apiUrl,
    JUPYTERHUB_API_TOKEN: hub.adminToken,
  };
  const provider = () => new ApiKeyProvider({ env });
  return {
    name: "http",
    env,
    supportsPrivileges: false,
    privilegesUpdateInPlace: false,
    rotation: "rotate",
    scopes: [`read:users:name!user=${hub.user}`],
    extraScope: `read:users:groups!user=${hub.user}`,
    provider,
    checked: checkedWith(provider),
    async remote(id) {
      const answer = await hub.api("GET", `/users/${hub.user}/tokens/${id}`);
      if (answer.status === 404) return undefined;
      const token = answer.body as { note: string };
      // JupyterHub tokens have no description and cannot be disabled.
      return { displayName: token.note, description: "", enabled: true, privilegeCount: 0, readAnswer: JSON.stringify(answer.body) };
    },
    count: async () => (await hub.tokens()).length,
    renameAndDisableOutOfBand: () => Promise.reject(new Error("JupyterHub cannot rename or disable a token")),
    async deleteOutOfBand(id) {
      await hub.api("DELETE", `/users/${hub.user}/tokens/${id}`);
    },
    async createByHand(name) {
      const answer = await hub.api("POST", `/users/${hub.user}/tokens`, { body: { note: name, scopes: [`read:users:name!user=${hub.user}`] } });
      return (answer.body as { id: string }).id;
    },
    close: removeAll,
  };
}
