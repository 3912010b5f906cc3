import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiKeyArgs } from "../../provider";
import { EngineStack, repoRoot } from "../helpers/engine";
import { startTestServer, type TestServer } from "../helpers/testServer";

jest.setTimeout(300_000);

const policyPack = join(repoRoot, "policy");
const inSixtyDays = new Date(Date.now() + 60 * 86_400_000).toISOString();
const compliant: ApiKeyArgs = {
  environment: "live",
  description: "Storefront search; owned by team web",
  expiresAt: inSixtyDays,
  privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
  rotation: { rotateAfterDays: 30 },
};

/** The policy pack on the real engine: `pulumi preview --policy-pack policy/`. */
describe("the apikeys policy pack", () => {
  let server: TestServer;
  let stack: EngineStack;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
    const org = await server.createOrganization();
    stack = await EngineStack.create({ name: "policy", endpoint: server.url, organizationId: org.id, token: org.token });
  });
  afterAll(async () => {
    await stack.dispose();
    await server.close();
  });

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
    ["apikeys-live-keys-rotate", { ...compliant, rotation: undefined }, "storefront: live keys must rotate at least every 90 days: set rotation.rotateAfterDays to 90 or less"],
  ])("%s fails the preview with its message", async (rule, key, message) => {
    const result = await previewWith(key);
    expect(result.ok).toBe(false);
    expect(result.text).toContain(rule);
    expect(result.text).toContain(message);
  });

  test("config tunes a rule and makes it advisory: the preview then passes with a warning", async () => {
    const strict = await previewWith(compliant, { "apikeys-live-keys-expire": { maxDays: 30 } });
    expect(strict.ok).toBe(false);
    expect(strict.text).toContain("live keys must expire within 30 days");
    const advisory = await previewWith(compliant, { "apikeys-live-keys-expire": { enforcementLevel: "advisory", maxDays: 30 } });
    expect(advisory.ok).toBe(true);
    expect(advisory.text).toContain("live keys must expire within 30 days");
  });
});
