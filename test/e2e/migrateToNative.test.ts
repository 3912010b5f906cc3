import type { ApiKeyArgs } from "../../provider";
import { keyChanges } from "../../review/keyChanges";
import { parsePreviewJson } from "../../review/previewJson";
import type { EngineStack } from "../helpers/engine";
import { startServerAndStack } from "../helpers/engineFixture";
import { searchPrivilege, whoami } from "../helpers/fixtures";
import { nativePluginSettings } from "../helpers/nativePlugin";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(240_000);

const viewAll = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW" };

/**
 * A TypeScript stack moves its keys from the dynamic `ApiKey` to the native provider's
 * `NativeApiKey` by changing the class name, on the real engine: the same keys, the same secrets
 * (kept from state, so consumers see no change), no replacement, and no provider code left in state.
 */
describe("moving a stack from the dynamic ApiKey to the native provider", () => {
  let server: TestServer;
  let stack: EngineStack;
  let close: () => Promise<void>;
  const declared: Record<string, ApiKeyArgs> = {
    search: { privileges: [searchPrivilege], rotation: { trigger: "v1", gracePeriodSeconds: 600 } },
    reports: { privileges: [viewAll], environment: "live" },
  };

  beforeAll(async () => {
    ({ server, stack, close } = await startServerAndStack({ name: "migrate-native", plugins: nativePluginSettings() }));
    stack.keys = declared;
  });
  afterAll(async () => close?.());

  test("renaming ApiKey to NativeApiKey keeps every key and secret; the state loses its serialized provider", async () => {
    const before = await stack.up();
    expect(before.summary.resourceChanges).toMatchObject({ create: 3 });
    const keyIds = { search: before.outputs["search.keyId"].value, reports: before.outputs["reports.keyId"].value };
    const secrets = { search: before.outputs["search.secret"].value, reports: before.outputs["reports.secret"].value };
    expect(JSON.stringify(await stack.resources())).toContain("__provider");

    stack.resourceClass = "NativeApiKey";
    // What the pull request shows: each key moves, none is replaced, created or deleted.
    const preview = await stack.previewJson();
    const ops = (preview.json.steps as Array<{ op: string; urn: string }>).filter((s) => /::(search|reports)$/.test(s.urn)).map((s) => s.op);
    expect(ops.sort()).toEqual(["update", "update"]);
    const changes = keyChanges(parsePreviewJson(preview.text));
    expect(changes.map((c) => [c.name, c.operation, c.secretReasons, c.notes])).toEqual(
      expect.arrayContaining([
        ["search", "update", [], ["moves to the native provider: same key, same secret"]],
        ["reports", "update", [], ["moves to the native provider: same key, same secret"]],
      ]),
    );

    const moved = await stack.up();
    expect(moved.summary.resourceChanges).toMatchObject({ update: 2 });
    expect(moved.summary.resourceChanges?.create ?? 0).toBe(0);
    expect(moved.summary.resourceChanges?.replace ?? 0).toBe(0);
    expect({ search: moved.outputs["search.keyId"].value, reports: moved.outputs["reports.keyId"].value }).toEqual(keyIds);
    expect({ search: moved.outputs["search.secret"].value, reports: moved.outputs["reports.secret"].value }).toEqual(secrets);
    expect(moved.outputs["search.secret"].secret).toBe(true);
    for (const name of ["search", "reports"] as const) expect((await whoami(server, secrets[name])).body.keyId).toBe(keyIds[name]);

    const state = await stack.resources();
    const keys = state.filter((r) => /::(search|reports)$/.test(r.urn));
    expect(keys.map((r) => r.urn.split("::")[2])).toEqual(["apikeys:index:ApiKey", "apikeys:index:ApiKey"]);
    expect(JSON.stringify(state)).not.toContain("__provider");
    expect(state.some((r) => r.urn.includes("pulumi:providers:pulumi-nodejs"))).toBe(false);
    // The latest checkpoint on disk (backups of the dynamic era aside) holds no secret in plain text.
    expect(stack.exportedState()).not.toContain(secrets.search);

    // The moved keys go on like native ones: nothing to do, then a rotation through the native provider.
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 3 });
    declared.search = { ...declared.search, rotation: { trigger: "v2", gracePeriodSeconds: 600 } };
    const rotated = await stack.up();
    expect(rotated.outputs["search.secret"].value).not.toBe(secrets.search);
    // The old secret keeps working through its grace period.
    expect((await whoami(server, secrets.search)).status).toBe(200);

    const destroyed = await stack.destroy();
    expect(destroyed.summary.resourceChanges).toMatchObject({ delete: 3 });
    expect((await whoami(server, secrets.reports)).status).toBe(401);
  });
});
