import { declarationFromUrn } from "../../provider/keyState/declaration";
import { searchPrivilege } from "../helpers/fixtures";
import { referenceHarness, type BackendHarness } from "../vendors/harnesses";
import { overNative } from "../vendors/nativeHarness";

/**
 * A program in another language (Python, YAML) sends no `pulumi:*` labels, so the native provider
 * knows which stack resource a key is from the URN the engine sends with create and delete: the same
 * protection against a lost create answer and the same grace on replacement as a TypeScript stack.
 */
describe("the native provider identifies a key's declaration by its URN when it carries no labels", () => {
  let harness: BackendHarness;
  beforeEach(async () => {
    harness = await overNative(referenceHarness());
  });
  afterEach(() => harness.close());

  test("a create asked again after its answer was lost gets the same key back, not a second one", async () => {
    const inputs = await harness.checked({ displayName: "from python", privileges: [searchPrivilege] });
    expect(inputs.metadata?.["pulumi:resource"]).toBeUndefined();
    const first = await harness.provider().create(inputs);
    const again = await harness.provider().create(inputs);
    expect(again.id).toBe(first.id);
    expect(await harness.count()).toBe(1);
    // The retry never saw the first secret, so it holds a fresh one of its own.
    expect(again.outs?.secret).toEqual(expect.any(String));
  });

  test("a rotation that adds a grace period keeps the old key working for it when the old one is deleted", async () => {
    const hooks = harness.provider();
    const old = await hooks.create(await harness.checked({ displayName: "from yaml", rotation: { trigger: "v1" } }));
    await hooks.create(await harness.checked({ displayName: "from yaml", rotation: { trigger: "v2", gracePeriodSeconds: 600 } }));
    await hooks.delete(old.id, old.outs!);
    expect(await harness.remote(old.id)).toBeDefined();
  });

  test("the URN is read as project, stack and resource name, under a parent and with colons in the name", () => {
    expect(declarationFromUrn("urn:pulumi:dev::python-keys::apikeys:index:ApiKey::search")).toEqual(["python-keys", "dev", "search"]);
    expect(declarationFromUrn("urn:pulumi:prod::shop::my:index:Keys$apikeys:index:ApiKey::ci::nightly")).toEqual(["shop", "prod", "ci::nightly"]);
    expect(declarationFromUrn("not-a-urn")).toBeUndefined();
  });
});
