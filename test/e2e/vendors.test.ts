import { keyChanges } from "../../review/keyChanges";
import { markdownReport } from "../../review/keyChangeReport";
import { parsePreviewJson } from "../../review/previewJson";
import { CoveoEmulator } from "../emulators/coveo/coveoEmulator";
import { DidomiEmulator } from "../emulators/didomi/didomiEmulator";
import { EngineStack, exampleProgram, type EngineStackOptions } from "../helpers/engine";
import { resourceOps, searchPrivilege, startServerWithOrganization, type TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";

const viewAll = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW" };

jest.setTimeout(240_000);

describe("vendor backends on the real Pulumi engine (contract emulators)", () => {
  let server: TestServer;
  let org: TestOrganization;
  let coveo: CoveoEmulator;
  let didomi: DidomiEmulator;
  const stacks: EngineStack[] = [];

  beforeAll(async () => {
    ({ t: server, org } = await startServerWithOrganization("sqlite"));
    coveo = await CoveoEmulator.start({ organizationId: "storefrontprod", accessToken: "coveo-oauth-token-e2e" });
    didomi = await DidomiEmulator.start({ organizationId: "storefront-org", apiKey: "pulumi-key", apiSecret: "didomi-e2e-secret" });
  });
  afterAll(async () => {
    for (const s of stacks) await s.dispose();
    await Promise.all([server.close(), coveo.close(), didomi.close()]);
  });

  /** A stack whose provider is configured (`apikeys:backend` and its connection) for one of the emulators; disposed of after the file. */
  const vendorStack = async (name: string, backend: "coveo" | "didomi", options: Pick<EngineStackOptions, "program"> = {}) => {
    const connection =
      backend === "coveo"
        ? { endpoint: coveo.url, organizationId: "storefrontprod", token: "coveo-oauth-token-e2e" }
        : { endpoint: didomi.url, organizationId: "storefront-org", token: "pulumi-key:didomi-e2e-secret" };
    const stack = await EngineStack.create({ name, ...connection, ...options, config: { "apikeys:backend": { value: backend } } });
    stacks.push(stack);
    return stack;
  };

  test("the same privilege edit previews as replace on Coveo and as update on the reference server", async () => {
    const stack = await EngineStack.create({ name: "vendors-same-edit", endpoint: server.url, organizationId: org.id, token: org.token });
    stacks.push(stack);
    const coveoConnection = { backend: "coveo" as const, endpoint: coveo.url, organizationId: "storefrontprod", token: "coveo-oauth-token-e2e" };
    stack.keys = {
      "on-coveo": { displayName: "search", privileges: [searchPrivilege], connection: coveoConnection },
      "on-reference": { displayName: "search", privileges: [searchPrivilege] },
    };
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    expect(coveo.keys.size).toBe(1);
    const coveoSecret = up.outputs["on-coveo.secret"].value as string;
    expect(coveo.keys.get(up.outputs["on-coveo.keyId"].value)!.value).toBe(coveoSecret);

    stack.keys = {
      "on-coveo": { displayName: "search", privileges: [searchPrivilege, viewAll], connection: coveoConnection },
      "on-reference": { displayName: "search", privileges: [searchPrivilege, viewAll] },
    };
    const preview = await stack.previewJson();
    expect(resourceOps(preview.json)).toEqual({ "on-coveo": "replace", "on-reference": "update" });
    // The review flags view-all-content as high on both backends, and shows no environment for Coveo.
    const changes = Object.fromEntries(keyChanges(parsePreviewJson(preview.text)).map((c) => [c.name, c]));
    for (const name of ["on-coveo", "on-reference"]) {
      expect(changes[name].risks).toEqual([
        expect.objectContaining({
          severity: "high",
          privilege: "SEARCH_API/VIEW_ALL_CONTENT/VIEW",
          reason: expect.stringContaining("whatever its permissions"),
        }),
      ]);
    }
    expect(changes["on-coveo"].environment).toEqual({ before: undefined, after: undefined });
    expect(changes["on-reference"].environment).toEqual({ before: "test", after: "test" });
    expect(markdownReport(Object.values(changes))).toContain(
      "| on-coveo | **replace** | – | `SEARCH_API/VIEW_ALL_CONTENT/VIEW` | – | **new secret** (privileges) | ⛔ high: grants SEARCH_API/VIEW_ALL_CONTENT/VIEW — sees every indexed document, whatever its permissions |",
    );

    const second = await stack.up();
    expect(second.summary.resourceChanges).toMatchObject({ replace: 1, update: 1 });
    expect(coveo.keys.size).toBe(1);
    expect([...coveo.keys.values()][0].privileges).toHaveLength(2);
    // Secrets of both vendors and the Coveo token are only ciphertext in the state file and absent from the output.
    const state = stack.exportedState();
    const newCoveoSecret = second.outputs["on-coveo.secret"].value as string;
    for (const secret of [coveoSecret, newCoveoSecret, "coveo-oauth-token-e2e", second.outputs["on-reference.secret"].value]) {
      expect(state).not.toContain(secret);
      expect(stack.log.join("\n")).not.toContain(secret);
    }
    await stack.destroy();
    expect(coveo.keys.size).toBe(0);
  });

  // The up that rotates it (the grace cut short of the deactivation date) and the destroy after: test/provider/lifecycle.test.ts.
  test("a key Coveo reports exposed: refresh records it, preview shows the rotation and the review says why", async () => {
    const stack = await vendorStack("coveo-exposure", "coveo");
    const week = 7 * 86_400;
    stack.keys = { "search-page": { displayName: "search page", privileges: [searchPrivilege], rotation: { onExposure: true, gracePeriodSeconds: week } } };
    const up = await stack.up();
    const exposedId = up.outputs["search-page.keyId"].value as string;
    const exposedSecret = up.outputs["search-page.secret"].value as string;

    // Coveo's secret scanning finds the key in a public repository; it deactivates it in two days.
    const deactivationDate = Date.now() + 2 * 86_400_000;
    const url = "https://github.com/acme/storefront/blob/main/.env";
    coveo.reportExposure(exposedId, { severity: "HIGH", source: "GITHUB", url, deactivationDate });
    // Pulumi does not refresh by default: the state knows nothing yet.
    expect((await stack.previewJson()).json.changeSummary).toEqual({ same: 2 });
    await stack.refresh();
    const refreshed = stack.exportedState();
    expect(refreshed).toContain(url);
    expect(refreshed).not.toContain(exposedSecret);

    const preview = await stack.previewJson();
    expect(resourceOps(preview.json)).toEqual({ "search-page": "update" });
    const [change] = keyChanges(parsePreviewJson(preview.text));
    const exposure = `exposed (GITHUB, ${url}), deactivated on ${new Date(deactivationDate).toISOString().slice(0, 10)}`;
    expect(change).toMatchObject({ operation: "update", secretChanges: true, exposure, secretReasons: [exposure] });
    expect(markdownReport([change])).toContain(`| search-page | update in place | – | – | – | **new secret** (${exposure}) |`);
    // The emulator is shared by the next tests.
    coveo.keys.clear();
  });

  test("examples/coveo previews and deploys against the Coveo emulator, and a second preview changes nothing", async () => {
    const stack = await vendorStack("example-coveo", "coveo", { program: exampleProgram("coveo") });
    const preview = await stack.previewJson();
    expect(resourceOps(preview.json)).toEqual({ "storefront-search-page": "create", "catalog-push": "create" });
    const up = await stack.up();
    expect(coveo.keys.size).toBe(2);
    const push = coveo.keys.get(up.outputs.catalogPushKeyId.value)!;
    expect(push).toMatchObject({ allowedIps: ["203.0.113.0/24"], value: up.outputs.catalogPushKey.value });
    expect(push.privileges).toHaveLength(2);
    expect(stack.exportedState()).not.toContain(push.rotationSecret!);
    const again = await stack.previewJson();
    expect(again.json.changeSummary).toEqual({ same: 3 });
    await stack.destroy();
    expect(coveo.keys.size).toBe(0);
  });

  // Two-slot rotation on Didomi (both keys through the grace, the next up after it deletes the old
  // one, destroy in between leaves nothing): test/provider/lifecycle.test.ts, on both drivers.

  test("examples/didomi previews and deploys against the Didomi emulator; privileges are refused at preview", async () => {
    const stack = await vendorStack("example-didomi", "didomi", { program: exampleProgram("didomi") });
    const sessionsBefore = didomi.sessionsIssued;
    const preview = await stack.previewJson();
    expect(resourceOps(preview.json)).toEqual({ "consent-sync": "create", "consent-reporting": "create" });
    const up = await stack.up();
    expect(didomi.keys.size).toBe(2);
    expect(didomi.keys.get(up.outputs.consentSyncKeyId.value)!.secret).toBe(up.outputs.consentSyncSecret.value);
    expect(didomi.keys.get(up.outputs.reportingKeyId.value)!.is_internal).toBe(true);
    expect(didomi.sessionsIssued - sessionsBefore).toBe(1);
    expect(stack.exportedState()).not.toContain("didomi-e2e-secret");
    expect(stack.exportedState()).not.toContain(up.outputs.consentSyncSecret.value);
    await stack.destroy();
    expect(didomi.keys.size).toBe(0);

    const bad = await vendorStack("didomi-privileges", "didomi");
    bad.keys = { "with-privileges": { privileges: [searchPrivilege] } };
    const error = await bad.preview().catch((e: Error) => e);
    expect(String(error)).toContain("the didomi backend does not support privileges");
    expect(didomi.keys.size).toBe(0);
  });
});
