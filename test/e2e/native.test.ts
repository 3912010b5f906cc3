import { keyChanges } from "../../review/keyChanges";
import { parsePreviewJson } from "../../review/previewJson";
import type { EngineStack } from "../helpers/engine";
import { startServerAndStack } from "../helpers/engineFixture";
import { searchPrivilege, whoami, type TestOrganization } from "../helpers/fixtures";
import { nativePluginSettings } from "../helpers/nativePlugin";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(240_000);

const viewAll = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW" };

/**
 * The native provider (`pulumi-resource-apikeys`, provider/native/) on the real engine: found on
 * PATH as a user's `pulumi plugin install` would make it found, configured from `apikeys:*` stack
 * config, driving the same hooks as the dynamic ApiKey.
 */
describe("the native provider on the real Pulumi engine", () => {
  let server: TestServer;
  let org: TestOrganization;
  let stack: EngineStack;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ server, org, stack, close } = await startServerAndStack({ name: "native-provider", resourceClass: "NativeApiKey", plugins: nativePluginSettings() }));
  });
  afterAll(async () => close?.());

  test("up creates a key whose secret is a Pulumi secret without additionalSecretOutputs; preview --diff names each changed property with update or replace", async () => {
    stack.keys = { search: { displayName: "search", privileges: [searchPrivilege] } };
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 2 });
    const secret = up.outputs["search.secret"];
    expect(secret.secret).toBe(true);
    expect((await whoami(server, secret.value)).body.keyId).toBe(up.outputs["search.keyId"].value);
    expect(stack.exportedState()).not.toContain(secret.value);
    expect(stack.exportedState()).not.toContain("__provider");

    stack.keys = { search: { displayName: "search", privileges: [searchPrivilege, viewAll], environment: "live" } };
    const preview = await stack.preview({ diff: true });
    expect(preview.stdout).toMatch(/~ privileges/);
    expect(preview.stdout).toMatch(/~ environment: "test" => "live"/);
    // The engine's own record of the detailed diff: each property with its kind.
    const json = await stack.previewJson();
    const step = (json.json.steps as any[]).find((s) => s.urn.endsWith("::search") && s.detailedDiff);
    expect(step.detailedDiff).toEqual({
      environment: { kind: "update-replace", inputDiff: true },
      privileges: { kind: "update", inputDiff: true },
    });
    expect(step.replaceReasons).toEqual(["environment"]);
    // The review reads the native provider's steps too.
    const [change] = keyChanges(parsePreviewJson(json.text));
    expect(change).toMatchObject({ name: "search", operation: "replace", secretReasons: ["environment"] });
  });

  test("pulumi import brings an existing key under the stack without replacing it, and says the secret is unknown", async () => {
    const made = (
      await server.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "made by hand", privileges: [searchPrivilege] } })
    ).body;
    // generateCode: false — code generation needs the language host's GenerateProgram, which the
    // v3.68 host we can build here does not have ("method GenerateProgram not implemented").
    const imported = await stack.import({ resources: [{ type: "apikeys:index:ApiKey", name: "legacy", id: made.id }], protect: false, generateCode: false });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    const resource = (await stack.resources()).find((r) => r.urn.endsWith("::legacy"));
    expect(resource).toMatchObject({ id: made.id, outputs: { keyId: made.id, secretAvailable: false, displayName: "made by hand" } });
    // Still the same key, still working with the secret its maker holds.
    expect((await whoami(server, made.secret)).body.keyId).toBe(made.id);
  });
});
