import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/engine";
import { nativePlugin } from "../helpers/nativePlugin";

jest.setTimeout(180_000);
const run = promisify(execFile);

/**
 * The native provider's schema goes through Pulumi's own tools: the CLI reads it from the plugin
 * (`pulumi package get-schema`) and Pulumi's code generators (pkg/v3/codegen, via
 * tools/pulumi/gensdk) turn it into Python, Go and Node.js SDKs that keep the secret outputs secret
 * (the Go one is compiled and run by test/e2e/languages.test.ts).
 */
describe("SDKs for other languages from the native provider's schema", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "apikeys-sdk-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the Python SDK generates, declares ApiKey with its secret outputs, and compiles; the Go and Node.js ones generate the same way", async () => {
    const tools = join(repoRoot, ".tools", "bin");
    const { stdout } = await run(join(tools, "pulumi"), ["package", "get-schema", nativePlugin], { maxBuffer: 16 * 1024 * 1024 });
    const schemaFile = join(dir, "schema.json");
    writeFileSync(schemaFile, stdout);
    expect(JSON.parse(stdout).resources).toHaveProperty(["apikeys:index:ApiKey"]);

    await run(join(tools, "apikeys-gensdk"), [schemaFile, "python", join(dir, "python")]);
    const apiKeyPy = readFileSync(join(dir, "python", "pulumi_apikeys", "api_key.py"), "utf8");
    expect(apiKeyPy).toContain("class ApiKey(pulumi.CustomResource):");
    expect(apiKeyPy).toContain('additional_secret_outputs=["rotationSecret", "secret"]');
    expect(apiKeyPy).toContain("super(ApiKey, __self__).__init__(\n            'apikeys:index:ApiKey',");
    await run("python3", ["-m", "compileall", "-q", join(dir, "python")]);

    await run(join(tools, "apikeys-gensdk"), [schemaFile, "go", join(dir, "go")]);
    const apiKeyGo = readFileSync(join(dir, "go", "apikeys", "apiKey.go"), "utf8");
    expect(apiKeyGo).toContain("func NewApiKey(ctx *pulumi.Context,");
    expect(apiKeyGo).toMatch(/pulumi\.AdditionalSecretOutputs\(\[\]string\{\s*"rotationSecret",\s*"secret",/);
    expect(readFileSync(join(dir, "go", "go.mod"), "utf8")).toContain("module pulumi-apikeys/sdk/go");

    await run(join(tools, "apikeys-gensdk"), [schemaFile, "nodejs", join(dir, "nodejs")]);
    expect(existsSync(join(dir, "nodejs", "apiKey.ts"))).toBe(true);
    expect(readFileSync(join(dir, "nodejs", "apiKey.ts"), "utf8")).toContain('additionalSecretOutputs: ["rotationSecret", "secret"]');
  });
});
