import { join } from "node:path";
import { CoveoEmulator } from "../emulators/coveo/coveoEmulator";
import { DidomiEmulator } from "../emulators/didomi/didomiEmulator";
import { EngineStack, repoRoot } from "../helpers/engine";
import { startServerWithOrganization } from "../helpers/fixtures";
import { declarationFiles, declarationsIn, type KeyDeclaration } from "../helpers/keyDeclarations";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(300_000);

const policyPack = join(repoRoot, "policy");

/** A resource name that says where the key is written: `<name>@<file>-<line>` (the pack names it in each violation). */
const resourceName = (d: KeyDeclaration) => `${d.name}@${d.source.replace(/[^A-Za-z0-9]+/g, "-")}`;

/**
 * Every key a user can copy from the README, docs/ and examples/ (TypeScript and YAML, found by
 * test/helpers/keyDeclarations.ts, which fails on a declaration it cannot read) is previewed on the
 * real engine under the policy pack as shipped, with the backend its example is for (Coveo and
 * Didomi through their contract emulators: the real services cannot be reached here). Each must pass
 * every mandatory rule: an example teaches the pattern a team will copy, so it must be one the pack
 * lets through. Declarations are previewed as the dynamic ApiKey's inputs (docs/languages.md's one
 * NativeApiKey line has the same inputs and the pack checks both types alike), with stack config
 * unset and YAML interpolations as plain strings; whole example programs run in their own tests
 * (vendors, consumers, languages), where the engine can: examples/rotation needs the @pulumi/random
 * plugin, which cannot be installed here, so its key is previewed on its own.
 */
describe("the examples users copy pass the policy pack as shipped", () => {
  const declarations = declarationFiles().flatMap(declarationsIn);
  let server: TestServer;
  let coveo: CoveoEmulator;
  let didomi: DidomiEmulator;
  let connections: Record<KeyDeclaration["backend"], { endpoint: string; organizationId: string; token: string; config?: Record<string, { value: string }> }>;
  const stacks: EngineStack[] = [];

  beforeAll(async () => {
    const started = await startServerWithOrganization("sqlite");
    server = started.t;
    coveo = await CoveoEmulator.start({ organizationId: "storefrontprod", accessToken: "coveo-oauth-token-e2e" });
    didomi = await DidomiEmulator.start({ organizationId: "storefront-org", apiKey: "pulumi-key", apiSecret: "didomi-e2e-secret" });
    connections = {
      reference: { endpoint: server.url, organizationId: started.org.id, token: started.org.token },
      coveo: { endpoint: coveo.url, organizationId: "storefrontprod", token: "coveo-oauth-token-e2e", config: { "apikeys:backend": { value: "coveo" } } },
      didomi: {
        endpoint: didomi.url,
        organizationId: "storefront-org",
        token: "pulumi-key:didomi-e2e-secret",
        config: { "apikeys:backend": { value: "didomi" } },
      },
    };
  });
  afterAll(async () => {
    for (const stack of stacks) await stack.dispose();
    await Promise.all([server?.close(), coveo?.close(), didomi?.close()]);
  });

  test("the reader finds the keys of the README, the docs and every example folder", () => {
    const files = new Set(declarations.map((d) => d.source.replace(/:\d+$/, "")));
    for (const file of [
      "README.md",
      "docs/rotation.md",
      "docs/state.md",
      "examples/coveo/index.ts",
      "examples/didomi/index.ts",
      "examples/yaml/Pulumi.yaml",
      "examples/rotation/index.ts",
    ]) {
      expect(files).toContain(file);
    }
    expect(declarations.length).toBeGreaterThanOrEqual(17);
    expect(new Set(declarations.map(resourceName)).size).toBe(declarations.length);
  });

  test.each(["reference", "coveo", "didomi"] as const)("%s: every declared key passes the mandatory rules in a preview with policy/", async (backend) => {
    const mine = declarations.filter((d) => d.backend === backend);
    expect(mine.length).toBeGreaterThan(0);
    const { config, ...connection } = connections[backend];
    const stack = await EngineStack.create({ name: `examples-policy-${backend}`, ...connection, config });
    stacks.push(stack);
    stack.keys = Object.fromEntries(mine.map((d) => [resourceName(d), d.args]));
    const text = await stack.preview({ policyPacks: [policyPack] }).then(
      (result) => result.stdout,
      (error: Error) => `${error.message}\n${stack.log.join("")}`,
    );
    // Each mandatory violation, with the declaration it is about: the message to read when this fails.
    const lines = text.split("\n");
    const violations = lines.flatMap((line, i) => (line.includes("[mandatory]") ? [`${line.trim()}: ${lines[i + 1]?.trim()}`] : []));
    expect(violations).toEqual([]);
    expect(text).toMatch(/Policies:|Previewing update/);
  });
});
