import { resolve } from "node:path";
import { ApiKeyProvider } from "../../provider";
import { checkedWith } from "../helpers/providerFixture";
import type { StrapiServer } from "../helpers/strapi";
import type { BackendHarness } from "./harnesses";

/** The Strapi description (examples/key-apis/strapi.yaml), by absolute path. */
export const STRAPI_DESCRIPTION = resolve(__dirname, "../../examples/key-apis/strapi.yaml");

/** A permission every Strapi serves with no content type of the project's own (the upload plugin's file list). */
export const STRAPI_SCOPE = "plugin::upload.content-api.find";

const fast = { APIKEYS_RETRY_BASE_MS: "5", APIKEYS_RETRY_MAX_MS: "20" };

/** The environment a provider reads to reach `strapi` through the description: the admin's JWT in the description's own variable. */
export function strapiEnv(strapi: StrapiServer): NodeJS.ProcessEnv {
  return { ...fast, APIKEYS_BACKEND: "http", APIKEYS_API: STRAPI_DESCRIPTION, APIKEYS_ENDPOINT: `${strapi.url}/admin`, STRAPI_ADMIN_JWT: strapi.adminJwt };
}

interface StrapiToken {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly permissions: string[];
}

/** Every API token the server holds. */
export async function strapiTokens(strapi: StrapiServer): Promise<StrapiToken[]> {
  const answer = await strapi.admin("GET", "/api-tokens");
  if (answer.status !== 200) throw new Error(`Strapi did not list its tokens: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data as StrapiToken[];
}

/** Deletes every API token (Strapi's own two defaults too), so a case starts from none. */
export async function removeStrapiTokens(strapi: StrapiServer): Promise<void> {
  for (const token of await strapiTokens(strapi)) await strapi.admin("DELETE", `/api-tokens/${token.id}`);
}

/**
 * Strapi's API tokens through the http backend and the description examples/key-apis/strapi.yaml
 * alone, on a real Strapi (test/helpers/strapi.ts) the caller starts once for the whole suite: each
 * case starts from no tokens, and leaves none behind.
 */
export async function strapiHarness(strapi: StrapiServer): Promise<BackendHarness & { env: NodeJS.ProcessEnv }> {
  await removeStrapiTokens(strapi);
  const env = strapiEnv(strapi);
  const provider = () => new ApiKeyProvider({ env });
  return {
    name: "http",
    env,
    supportsPrivileges: false,
    // Permissions change in place (PUT), and a rotation regenerates the same token.
    privilegesUpdateInPlace: true,
    rotation: "rotate",
    rollsInPlace: true,
    scopes: [STRAPI_SCOPE],
    extraScope: "plugin::upload.content-api.findOne",
    provider,
    checked: checkedWith(provider),
    async remote(id) {
      const answer = await strapi.admin("GET", `/api-tokens/${id}`);
      if (answer.status === 404) return undefined;
      const token = answer.body.data as StrapiToken;
      // Strapi's tokens cannot be disabled.
      return { displayName: token.name, description: token.description ?? "", enabled: true, privilegeCount: 0, readAnswer: JSON.stringify(answer.body) };
    },
    count: async () => (await strapiTokens(strapi)).length,
    authenticates: (secret) => strapi.authenticates(secret),
    async renameAndDisableOutOfBand(id, name) {
      // Strapi has no disabled tokens: the rename alone (BehaviourSupport.disable says so).
      const answer = await strapi.admin("PUT", `/api-tokens/${id}`, { body: { name } });
      if (answer.status !== 200) throw new Error(`Strapi refused the rename: ${answer.status} ${JSON.stringify(answer.body)}`);
    },
    async deleteOutOfBand(id) {
      await strapi.admin("DELETE", `/api-tokens/${id}`);
    },
    async createByHand(name) {
      const answer = await strapi.admin("POST", "/api-tokens", { body: { name, type: "custom", permissions: [STRAPI_SCOPE] } });
      return String(answer.body.data.id);
    },
    close: () => removeStrapiTokens(strapi),
  };
}
