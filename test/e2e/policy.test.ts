import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiKeyArgs } from "../../provider";
import { EngineStack, repoRoot } from "../helpers/engine";
import { startServerAndStack } from "../helpers/engineFixture";
import { searchPrivilege } from "../helpers/fixtures";
import { nativePluginSettings } from "../helpers/nativePlugin";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(300_000);

const policyPack = join(repoRoot, "policy");
const inSixtyDays = new Date(Date.now() + 60 * 86_400_000).toISOString();
const compliant: ApiKeyArgs = {
  environment: "live",
  description: "Storefront search; owned by team web",
  expiresAt: inSixtyDays,
  privileges: [searchPrivilege],
  rotation: { rotateAfterDays: 30 },
};

/** The policy pack on the real engine: `pulumi preview --policy-pack policy/`. */
describe("the apikeys policy pack", () => {
  let server: TestServer;
  let stack: EngineStack;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ server, stack, close } = await startServerAndStack({ name: "policy" }));
  });
  afterAll(async () => close?.());

  const previewWith = async (key: ApiKeyArgs, config?: Record<string, unknown>) => {
    stack.keys = { storefront: key };
    const policyPackConfigs: string[] = [];
    if (config) {
      const file = join(stack.workDir, `policy-config-${Date.now()}.json`);
      writeFileSync(file, JSON.stringify(config));
      policyPackConfigs.push(file);
    }
    stack.log.length = 0;
    return stack.preview({ policyPacks: [policyPack], policyPackConfigs }).then(
      (result) => ({ ok: true, text: result.stdout }),
      (error: Error) => ({ ok: false, text: `${error.message}\n${stack.log.join("")}` }),
    );
  };

  test("a compliant key passes every rule", async () => {
    const result = await previewWith(compliant);
    expect(result.text).not.toMatch(/mandatory|advisory/);
    expect(result.ok).toBe(true);
  });

  test.each<[string, ApiKeyArgs, string]>([
    ["apikeys-live-keys-expire", { ...compliant, expiresAt: undefined }, "storefront: live keys must expire within 365 days: set expiresAt"],
    [
      "apikeys-no-wildcard-in-live",
      { ...compliant, privileges: [{ owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW", targetIds: ["*"] }] },
      'storefront: live keys must not target "*": SEARCH_API/VIEW_ALL_CONTENT/VIEW[*]',
    ],
    ["apikeys-description-required", { ...compliant, description: "" }, "storefront: every key needs a description of at least 10 characters"],
    [
      "apikeys-max-privileges",
      { ...compliant, privileges: Array.from({ length: 21 }, (_, i) => ({ owner: "SEARCH_API", targetDomain: `DOMAIN_${i}`, type: "VIEW" })) },
      "storefront: keys may hold at most 20 privileges; this one has 21: split it by consumer",
    ],
    [
      "apikeys-live-keys-rotate",
      { ...compliant, rotation: undefined },
      "storefront: live keys must rotate at least every 90 days: set rotation.rotateAfterDays to 90 or less",
    ],
  ])("%s fails the preview with its message", async (rule, key, message) => {
    const result = await previewWith(key);
    expect(result.ok).toBe(false);
    expect(result.text).toContain(rule);
    expect(result.text).toContain(message);
  });

  test("a high-risk privilege fails the preview with the catalogue's reason; a medium one is advisory", async () => {
    const impersonating = await previewWith({
      ...compliant,
      privileges: [searchPrivilege, { owner: "SEARCH_API", targetDomain: "IMPERSONATE", type: "ENABLE" }],
    });
    expect(impersonating.ok).toBe(false);
    expect(impersonating.text).toContain("apikeys-sensitive-privileges");
    expect(impersonating.text).toContain(
      "storefront: high-risk privilege: SEARCH_API/IMPERSONATE/ENABLE (can run queries as any user, seeing what they may see)",
    );
    const editing = await previewWith({ ...compliant, privileges: [searchPrivilege, { owner: "SEARCH_API", targetDomain: "PIPELINES", type: "EDIT" }] });
    expect(editing.ok).toBe(true);
    expect(editing.text).toContain("apikeys-sensitive-privileges-medium");
    expect(editing.text).toContain("SEARCH_API/PIPELINES/EDIT (can change what it targets, not only use it)");
  });

  test("the review's rules file, given to the pack, accepts a privilege for a named key; a bad one fails naming the field", async () => {
    const rules = join(stack.workDir, "apikeys-review.json");
    writeFileSync(
      rules,
      JSON.stringify({ accept: [{ keys: ["storefront"], privilege: "SEARCH_API/IMPERSONATE/*", reason: "shows each user their own results" }] }),
    );
    const key = { ...compliant, privileges: [searchPrivilege, { owner: "SEARCH_API", targetDomain: "IMPERSONATE", type: "ENABLE" }] };
    const accepted = await previewWith(key, { "apikeys-sensitive-privileges": { rulesFile: rules } });
    expect(accepted.text).not.toContain("high-risk privilege");
    expect(accepted.ok).toBe(true);
    const bad = join(stack.workDir, "bad-rules.json");
    writeFileSync(bad, JSON.stringify({ accept: [{ keys: ["storefront"], privilege: "impersonate", reason: "lower case" }] }));
    const refused = await previewWith(key, { "apikeys-sensitive-privileges": { rulesFile: bad } });
    expect(refused.ok).toBe(false);
    expect(refused.text).toContain(`the rules file cannot be used: ${bad}: accept[0].privilege: must be OWNER/TARGET_DOMAIN/TYPE`);
  });

  test("config tunes a rule and makes it advisory: the preview then passes with a warning", async () => {
    const strict = await previewWith(compliant, { "apikeys-live-keys-expire": { maxDays: 30 } });
    expect(strict.ok).toBe(false);
    expect(strict.text).toContain("live keys must expire within 30 days");
    const advisory = await previewWith(compliant, { "apikeys-live-keys-expire": { enforcementLevel: "advisory", maxDays: 30 } });
    expect(advisory.ok).toBe(true);
    expect(advisory.text).toContain("live keys must expire within 30 days");
  });

  test("keys of the native provider (NativeApiKey, or any other language's SDK) answer to the same rules", async () => {
    const org = await server.createOrganization();
    const native = await EngineStack.create({
      name: "policy-native",
      endpoint: server.url,
      organizationId: org.id,
      token: org.token,
      plugins: nativePluginSettings(),
    });
    native.resourceClass = "NativeApiKey";
    native.keys = { storefront: compliant };
    try {
      expect((await native.preview({ policyPacks: [policyPack] })).stdout).not.toMatch(/mandatory|advisory/);
      native.keys = { storefront: { ...compliant, expiresAt: undefined } };
      const refused = await native.preview({ policyPacks: [policyPack] }).then(
        () => "passed",
        (error: Error) => `${error.message}\n${native.log.join("")}`,
      );
      expect(refused).toContain("apikeys-live-keys-expire");
      expect(refused).toContain("storefront: live keys must expire within 365 days: set expiresAt");
    } finally {
      await native.dispose();
    }
  });
});
