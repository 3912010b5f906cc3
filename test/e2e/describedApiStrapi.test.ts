import { EngineStack } from "../helpers/engine";
import { nativePluginSettings } from "../helpers/nativePlugin";
import { startStrapi, type StrapiServer } from "../helpers/strapi";
import { removeStrapiTokens, STRAPI_DESCRIPTION, STRAPI_SCOPE, strapiTokens } from "../vendors/strapiHarness";

jest.setTimeout(300_000);

/**
 * Strapi 5, a second key server nobody here wrote, managed on the real Pulumi engine through its
 * description file alone (examples/key-apis/strapi.yaml): the secret checked against Strapi's content
 * API, an in-place update, rotation by Strapi's regenerate (same token, and the old secret stops at
 * once), drift, `pulumi import`, destroy. Strapi runs with an encryption key, as a new Strapi project
 * does: its own read then answers every token's secret again, and the state must still hold none.
 */
describe("a key API described in a file, on a real Strapi and the real engine", () => {
  let strapi: StrapiServer;
  const stacks: EngineStack[] = [];

  beforeAll(async () => {
    strapi = await startStrapi();
  }, 180_000);
  afterAll(async () => {
    for (const stack of stacks) await stack.dispose();
    await strapi?.close();
  });
  // Each case starts from no tokens (Strapi makes two of its own on its first start).
  beforeEach(async () => removeStrapiTokens(strapi));

  /** A stack whose config picks the http backend and the Strapi description; the administrator's JWT is apikeys:token. */
  const strapiStack = async (name: string, native = false) => {
    const stack = await EngineStack.create({
      name,
      endpoint: `${strapi.url}/admin`,
      organizationId: "strapi",
      token: strapi.adminJwt,
      config: { "apikeys:backend": { value: "http" }, "apikeys:api": { value: STRAPI_DESCRIPTION } },
      ...(native ? { plugins: nativePluginSettings() } : {}),
    });
    if (native) stack.resourceClass = "NativeApiKey";
    stacks.push(stack);
    return stack;
  };

  const outputsOf = (result: { outputs: Record<string, { value: unknown }> }, name: string) => ({
    id: result.outputs[`${name}.keyId`].value as string,
    secret: result.outputs[`${name}.secret`].value as string,
  });

  test("dynamic ApiKey: create, the secret works on Strapi, a description change in place, rotation by regenerate, drift repaired, destroy; no secret in the state", async () => {
    const stack = await strapiStack("described-strapi");
    const declare = (description: string, trigger: string, gracePeriodSeconds?: number) => ({
      cms: {
        displayName: "site reader",
        description,
        scopes: [STRAPI_SCOPE],
        rotation: { trigger, ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) },
      },
    });
    stack.keys = declare("reads the uploads", "1");
    const first = outputsOf(await stack.up(), "cms");
    expect(await strapi.authenticates(first.secret)).toBe(true);
    expect(await strapiTokens(strapi)).toEqual([
      expect.objectContaining({ id: Number(first.id), name: "site reader", description: "reads the uploads", permissions: [STRAPI_SCOPE] }),
    ]);

    // A description change is a PUT: the same token, and its secret keeps working.
    stack.keys = declare("reads the uploads for the site", "1");
    const updated = await stack.up();
    expect(updated.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(outputsOf(updated, "cms")).toEqual(first);
    expect(await strapiTokens(strapi)).toEqual([expect.objectContaining({ id: Number(first.id), description: "reads the uploads for the site" })]);
    expect(await strapi.authenticates(first.secret)).toBe(true);

    // Strapi's regenerate ends the old secret at once, so a grace cannot be kept: preview refuses one, naming the field.
    stack.keys = declare("reads the uploads for the site", "2", 3600);
    const refused = await stack.preview().catch((error: Error) => error);
    expect(String(refused)).toContain("rotation.gracePeriodSeconds");
    expect(String(refused)).toContain("set gracePeriodSeconds to 0 or remove it");

    // Rotation: the same token gets a new secret; the old one is refused on the next request.
    stack.keys = declare("reads the uploads for the site", "2");
    const rotated = await stack.up();
    expect(rotated.summary.resourceChanges).toMatchObject({ update: 1 });
    const second = outputsOf(rotated, "cms");
    expect(second.id).toBe(first.id);
    expect(second.secret).not.toBe(first.secret);
    expect(await strapi.contentStatus(second.secret)).toBe(200);
    expect(await strapi.contentStatus(first.secret)).toBe(401);
    const [resource] = (await stack.resources()).filter((r) => r.urn.endsWith("::cms"));
    expect(resource.outputs?.pendingRevocations ?? []).toEqual([]);

    // Drift: the token is deleted outside Pulumi; refresh finds it gone and up makes a new one.
    expect((await strapi.admin("DELETE", `/api-tokens/${second.id}`)).status).toBe(200);
    await stack.refresh();
    const repaired = await stack.up();
    expect(repaired.summary.resourceChanges).toMatchObject({ create: 1 });
    const third = outputsOf(repaired, "cms");
    expect(third.id).not.toBe(second.id);
    expect(await strapi.authenticates(third.secret)).toBe(true);
    expect(await strapiTokens(strapi)).toHaveLength(1);

    // Refresh read every token back, and Strapi's read answers the secret: still only ciphertext in the state files, and absent from the output.
    expect((await strapi.admin("GET", `/api-tokens/${third.id}`)).body.data.accessKey).toBe(third.secret);
    await stack.refresh();
    const state = stack.exportedState();
    for (const secret of [first.secret, second.secret, third.secret, strapi.adminJwt]) {
      expect(state).not.toContain(secret);
      expect(stack.log.join("\n")).not.toContain(secret);
    }
    await stack.destroy();
    expect(await strapiTokens(strapi)).toEqual([]);
    expect(await strapi.contentStatus(third.secret)).toBe(401);
  });

  test("native provider: a token made outside Pulumi is imported (its secret still works), then declared and updated in place, and destroy deletes it", async () => {
    const stack = await strapiStack("described-strapi-native", true);
    const made = await strapi.admin("POST", "/api-tokens", { body: { name: "made by hand", description: "", type: "custom", permissions: [STRAPI_SCOPE] } });
    expect(made.status).toBe(201);
    const id = String(made.body.data.id);
    const secret: string = made.body.data.accessKey;

    const imported = await stack.import({ resources: [{ type: "apikeys:index:ApiKey", name: "legacy", id }], protect: false, generateCode: false });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    const legacy = (await stack.resources()).find((r) => r.urn.endsWith("::legacy"));
    expect(legacy).toMatchObject({ id, outputs: { keyId: id, secretAvailable: false, displayName: "made by hand", scopes: [STRAPI_SCOPE], backend: "http" } });
    expect(await strapi.authenticates(secret)).toBe(true);

    // The program now declares it, with a description: an update in place, the same token and secret.
    stack.keys = { legacy: { displayName: "made by hand", description: "now kept by Pulumi", scopes: [STRAPI_SCOPE] } };
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(up.outputs["legacy.keyId"].value).toBe(id);
    expect(await strapiTokens(strapi)).toEqual([expect.objectContaining({ id: Number(id), description: "now kept by Pulumi" })]);
    expect(await strapi.authenticates(secret)).toBe(true);
    expect(stack.exportedState()).not.toContain(secret);

    await stack.destroy();
    expect(await strapiTokens(strapi)).toEqual([]);
    expect(await strapi.contentStatus(secret)).toBe(401);
  });
});
