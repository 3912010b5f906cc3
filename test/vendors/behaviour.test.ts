import { describeBackendBehaviour } from "./backendBehaviour";
import { startJupyterHub, type JupyterHub } from "../helpers/jupyterHub";
import { coveoHarness, describedSupport, didomiHarness, JUPYTERHUB_DESCRIPTION, jupyterHubHarness, referenceHarness } from "./harnesses";
import { overNative } from "./nativeHarness";
import { startStrapi, type StrapiServer } from "../helpers/strapi";
import { STRAPI_DESCRIPTION, strapiHarness } from "./strapiHarness";

describe("the reference server", () => describeBackendBehaviour(referenceHarness));
describe("Coveo (contract emulator)", () => describeBackendBehaviour(coveoHarness));
describe("Didomi (contract emulator)", () => describeBackendBehaviour(didomiHarness));

// The same cases through the native provider's gRPC service: one implementation, two providers.
describe("the reference server, native provider", () => describeBackendBehaviour(() => overNative(referenceHarness())));
describe("Coveo (contract emulator), native provider", () => describeBackendBehaviour(() => overNative(coveoHarness())));
describe("Didomi (contract emulator), native provider", () => describeBackendBehaviour(() => overNative(didomiHarness())));

// A real key server nobody here wrote, reached through its description file alone (no code): one hub
// for both providers' cases. What JupyterHub lacks is read from the description and named per case.
describe("JupyterHub (real server, http backend described by examples/key-apis/jupyterhub.yaml)", () => {
  let hub: JupyterHub;
  beforeAll(async () => {
    hub = await startJupyterHub();
  }, 90_000);
  afterAll(async () => hub?.stop());
  const support = describedSupport(JUPYTERHUB_DESCRIPTION, { rename: false, disable: false });
  describe("dynamic provider", () => describeBackendBehaviour(() => jupyterHubHarness(hub), support));
  describe("native provider", () => describeBackendBehaviour(() => overNative(jupyterHubHarness(hub)), support));
});

// A second real key server, through examples/key-apis/strapi.yaml alone: an enveloped admin API with
// an in-place update and a roll (regenerate). Started without an encryption key, so its own read does
// not answer the secret again (the e2e test runs Strapi with one: test/e2e/describedApiStrapi.test.ts).
describe("Strapi (real server, http backend described by examples/key-apis/strapi.yaml)", () => {
  let strapi: StrapiServer;
  beforeAll(async () => {
    strapi = await startStrapi({ encryptionKey: false });
  }, 180_000);
  afterAll(async () => strapi?.close());
  const support = describedSupport(STRAPI_DESCRIPTION, { rename: true, disable: false });
  describe("dynamic provider", () => describeBackendBehaviour(() => strapiHarness(strapi), support));
  describe("native provider", () => describeBackendBehaviour(() => overNative(strapiHarness(strapi)), support));

  // `pulumi import` reads a key with no state, then the program declares it (enabled by default).
  // Strapi answers no enabled field: its tokens cannot be disabled, so every one it has is enabled.
  test("an imported token, declared as it is, is updated in place: an API without disabled keys reads every key as enabled", async () => {
    const h = await strapiHarness(strapi);
    try {
      const p = h.provider();
      const id = await h.createByHand("made by hand");
      const read = await p.read(id);
      expect(read.props).toMatchObject({ keyId: id, enabled: true, secretAvailable: false });
      const declared = await h.checked({ displayName: "made by hand", description: "now kept by Pulumi", scopes: h.scopes }, read.props);
      expect(await p.diff(id, read.props!, declared)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    } finally {
      await h.close();
    }
  });
});
