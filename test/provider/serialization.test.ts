import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { providerFixture, type ProviderFixture } from "../helpers/providerFixture";

const repoRoot = resolve(__dirname, "../..");

/**
 * Serializes the provider exactly as `pulumi.dynamic.Resource` does, then runs the text the way the
 * dynamic-provider host does (require-from-string, `.handler()`), in a separate Node process started
 * in the program's directory, against the real server.
 */
describe("the serialized provider", () => {
  let f: ProviderFixture;
  let text: string;
  let containsSecrets: boolean;

  beforeAll(async () => {
    f = await providerFixture();
    // The package's built entry point, resolved by name like a user's program resolves it.
    const { serializableProvider } = require("pulumi-apikeys");
    process.env.APIKEYS_TOKEN = f.org.token; // present in the serializing process, as in a real `pulumi up`
    const provider = serializableProvider();
    // Exactly the SDK's call in dynamic/index.ts (serializeFunctionMaybeSecret).
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    text = serialized.text;
    containsSecrets = serialized.containsSecrets;
  });
  afterAll(async () => {
    delete process.env.APIKEYS_TOKEN;
    await f.close();
  });

  test("is small, holds no token, no zod schema and no secret", () => {
    expect(text.length).toBeLessThan(4000);
    expect(text).not.toContain(f.org.token);
    expect(text).not.toMatch(/safeParse|ZodObject/);
    expect(text).toContain('"pulumi-apikeys/provider/hooks"');
    expect(containsSecrets).toBe(false);
  });

  test("works when run from its text in the host's way: check, create, read, delete", async () => {
    const script = `
      const provider = require("require-from-string")(process.env.PROVIDER_TEXT).handler();
      (async () => {
        await provider.configure({ config: { get: (k) => ({ "apikeys:organizationId": process.env.ORG })[k], require: () => "" } });
        const checked = await provider.check({}, { displayName: "serialized", privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }] });
        const created = await provider.create(checked.inputs);
        const read = await provider.read(created.id, created.outs);
        await provider.delete(created.id, created.outs);
        const gone = await provider.read(created.id, created.outs);
        process.stdout.write(JSON.stringify({ failures: checked.failures, id: created.id, secret: created.outs.secret, readId: read.id, goneId: gone.id }));
      })().catch((e) => { process.stderr.write(e.message); process.exit(1); });`;
    // Asynchronously: the server answering the child runs in this very process.
    const { stdout: out } = await promisify(execFile)(process.execPath, ["-e", script], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, PROVIDER_TEXT: text, ORG: f.org.id, APIKEYS_ENDPOINT: f.server.url, APIKEYS_TOKEN: f.org.token },
      encoding: "utf8",
    });
    const result = JSON.parse(out);
    expect(result.failures).toEqual([]);
    expect(result.id).toMatch(/^key_/);
    expect(result.secret).toMatch(/^ak_test_/);
    expect(result.readId).toBe(result.id);
    expect(result.goneId).toBe("");
  });
});
