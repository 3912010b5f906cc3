import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { keyChanges } from "../../review/keyChanges";
import { markdownReport } from "../../review/keyChangeReport";
import { parsePreviewJson } from "../../review/previewJson";
import { CoveoEmulator } from "../emulators/coveo/coveoEmulator";
import { DidomiEmulator } from "../emulators/didomi/didomiEmulator";
import { EngineStack, repoRoot, type EngineStackOptions } from "../helpers/engine";
import { resourceOps, searchPrivilege, startServerWithOrganization, type TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";
import { waitUntil } from "../helpers/waitUntil";

const viewAll = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW" };

jest.setTimeout(240_000);

/**
 * Runs an example program as a user's `pulumi up` would: its top level runs afresh each time (jest's
 * module registry would hand back the first run's exports), with `pulumi-apikeys` loaded by name.
 */
function exampleProgram(name: string) {
  const path = join(repoRoot, "dist", "examples", name, "index.js");
  return async () => {
    const module = { exports: {} as Record<string, unknown> };
    new Function("require", "module", "exports", "__filename", "__dirname", readFileSync(path, "utf8"))(require, module, module.exports, path, dirname(path));
    return module.exports;
  };
}

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

  test("a key Coveo reports exposed: refresh records it, preview shows the rotation and the review says why, up rotates before the deactivation date", async () => {
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

    const rotated = await stack.up();
    const newId = rotated.outputs["search-page.keyId"].value as string;
    expect(newId).not.toBe(exposedId);
    expect(coveo.keys.get(newId)!.value).toBe(rotated.outputs["search-page.secret"].value);
    // The old secret works on, but not for the week asked: only until Coveo deactivates it.
    const old = coveo.keys.get(exposedId)!;
    expect(old.expirationDate!).toBeLessThanOrEqual(deactivationDate + 1000);
    expect(old.expirationDate!).toBeGreaterThan(Date.now() + 86_400_000);
    // The new secret is not the exposed one: nothing is left to do.
    expect((await stack.previewJson()).json.changeSummary).toEqual({ same: 2 });
    await stack.destroy();
    // The rotated-out key is Coveo's to expire (on its deactivation date); the emulator is shared by the next tests.
    expect([...coveo.keys.keys()]).toEqual([exposedId]);
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

  test("two-slot rotation on Didomi: both keys work through the grace period, the next up after it deletes the old one, and destroy in between leaves nothing", async () => {
    const stack = await vendorStack("didomi-two-slot", "didomi");
    stack.keys = { sync: { displayName: "consent sync", rotation: { trigger: "a", gracePeriodSeconds: 2 } } };
    const up = await stack.up();
    const first = up.outputs["sync.keyId"].value as string;

    stack.keys = { sync: { displayName: "consent sync", rotation: { trigger: "b", gracePeriodSeconds: 2 } } };
    expect(resourceOps((await stack.previewJson()).json)).toEqual({ sync: "update" });
    const rotated = await stack.up();
    const second = rotated.outputs["sync.keyId"].value as string;
    expect(second).not.toBe(first);
    expect([...didomi.keys.keys()].sort()).toEqual([first, second].sort());
    expect(didomi.keys.get(second)!.secret).toBe(rotated.outputs["sync.secret"].value);

    // Past the grace period: the preview shows the pending deletion, the up carries it out. The provider
    // host (a process of the engine's) reads the real time, so the test waits for the moment the state names.
    const recorded = (await stack.resources()).find((r) => r.urn.endsWith("::sync"));
    const pending = recorded?.outputs?.pendingRevocations as Array<{ keyId: string; revokeAfter: string }>;
    expect(pending).toEqual([{ keyId: first, revokeAfter: expect.any(String) }]);
    const revokeAfterMs = Date.parse(pending[0].revokeAfter);
    await waitUntil(`the grace period to end at ${pending[0].revokeAfter}`, () => Date.now() > revokeAfterMs);
    expect(resourceOps((await stack.previewJson()).json)).toEqual({ sync: "update" });
    await stack.up();
    expect([...didomi.keys.keys()]).toEqual([second]);
    expect((await stack.previewJson()).json.changeSummary).toEqual({ same: 2 });

    // Rotated again with a long grace, then destroyed: the old key goes too.
    stack.keys = { sync: { displayName: "consent sync", rotation: { trigger: "c", gracePeriodSeconds: 3600 } } };
    await stack.up();
    expect(didomi.keys.size).toBe(2);
    await stack.destroy();
    expect(didomi.keys.size).toBe(0);
  });

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
