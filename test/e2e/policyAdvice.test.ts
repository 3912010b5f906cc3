import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiKeyArgs } from "../../provider";
import { EngineStack, repoRoot } from "../helpers/engine";
import { startServerAndStack } from "../helpers/engineFixture";
import { searchPrivilege } from "../helpers/fixtures";
import type { TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(300_000);

const policyPack = join(repoRoot, "policy");

/** The arguments of the README's first example (`new apikeys.ApiKey("…", {…})`), as the README ships them. */
function readmeExample(): { name: string; args: ApiKeyArgs } {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const call = /new apikeys\.ApiKey\("([^"]+)", (\{[\s\S]*?\n\})\);/.exec(block);
  if (!call) throw new Error("README.md: no `new apikeys.ApiKey(...)` in the first TypeScript example");
  // A plain object literal (strings, numbers, comments): evaluated as written.
  return { name: call[1], args: new Function(`return (${call[2]});`)() as ApiKeyArgs };
}

/** `pulumi preview --policy-pack policy/` of one key: passed, or the engine's failure text. */
async function previewWith(stack: EngineStack, name: string, key: ApiKeyArgs): Promise<{ ok: boolean; text: string }> {
  stack.keys = { [name]: key };
  stack.log.length = 0;
  return stack.preview({ policyPacks: [policyPack] }).then(
    (result) => ({ ok: true, text: result.stdout }),
    (error: Error) => ({ ok: false, text: `${error.message}\n${stack.log.join("")}` }),
  );
}

/**
 * The policy pack as shipped agrees with the product's own advice, on the real engine: the README's
 * first example passes it; a lifetime renewed before expiry (docs/rotation.md) counts as expiry and
 * rotation; Coveo and Didomi keys, which the credential report counts as live, answer to the live-key
 * rules with their backend picked in stack config, as the examples for real accounts do.
 */
describe("the policy pack and the product's advice", () => {
  let server: TestServer;
  let org: TestOrganization;
  let stack: EngineStack;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ server, org, stack, close } = await startServerAndStack({ name: "policy-advice" }));
  });
  afterAll(async () => close?.());

  test("the README's first example passes every rule as shipped", async () => {
    const { name, args } = readmeExample();
    expect(args).toMatchObject({ environment: "live", lifetime: "P90D", rotation: { renewBeforeExpiry: "P14D" } });
    const result = await previewWith(stack, name, args);
    expect(result.text).not.toMatch(/mandatory|advisory/);
    expect(result.ok).toBe(true);
  });

  test.each<[string, string, ApiKeyArgs, string]>([
    [
      "coveo",
      "apikeys-live-keys-expire",
      { description: "Storefront search; owned by team web", privileges: [searchPrivilege] },
      "set expiresAt, or a lifetime",
    ],
    ["didomi", "apikeys-live-keys-rotate", { description: "Consent sync; owned by team privacy" }, "set rotation.rotateAfterDays to 90 or less"],
  ])("a %s key is a live key: held to %s, and passes with the advised settings", async (backend, rule, declared, advice) => {
    const vendor = await EngineStack.create({
      name: `policy-${backend}`,
      endpoint: server.url,
      organizationId: org.id,
      token: org.token,
      config: { "apikeys:backend": { value: backend } },
    });
    try {
      const bare = await previewWith(vendor, "vendor", declared);
      expect(bare.ok).toBe(false);
      expect(bare.text).toContain(rule);
      expect(bare.text).toContain(`vendor: live keys must`);
      expect(bare.text).toContain(advice);
      const advised: ApiKeyArgs =
        backend === "coveo" ? { ...declared, lifetime: "P90D", rotation: { renewBeforeExpiry: "P14D" } } : { ...declared, rotation: { rotateAfterDays: 30 } };
      const passed = await previewWith(vendor, "vendor", advised);
      expect(passed.text).not.toMatch(/mandatory/);
      expect(passed.ok).toBe(true);
    } finally {
      await vendor.dispose();
    }
  });
});
