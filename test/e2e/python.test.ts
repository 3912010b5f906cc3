import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/engine";
import { writeNativePlugin } from "../helpers/nativePlugin";
import { startTestServer, type TestServer } from "../helpers/testServer";

jest.setTimeout(240_000);
const run = promisify(execFile);

/**
 * A Python stack: the SDK generated from the native provider's schema by Pulumi's code generators,
 * Pulumi's Python SDK from PyPI (scripts/ensure-python.sh), the Python language host we build, the
 * real CLI and engine, and pulumi-resource-apikeys: the same ApiKey as the TypeScript stacks.
 */
describe("examples/python, a Python stack on the real Pulumi engine", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
    dir = mkdtempSync(join(tmpdir(), "apikeys-python-"));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("up creates the key with its secret encrypted in state, a new trigger rotates it with a grace period, destroy revokes it after the same grace", async () => {
    const pythonBin = process.env.APIKEYS_TEST_PYTHON_BIN;
    if (!pythonBin) throw new Error("APIKEYS_TEST_PYTHON_BIN is not set: run the tests with npm test (scripts/ensure-python.sh makes the virtualenv)");
    const tools = join(repoRoot, ".tools", "bin");
    const bin = join(dir, "bin");
    mkdirSync(bin);
    const launcher = writeNativePlugin(bin);
    // The SDK, generated from the schema the plugin serves.
    const schema = join(dir, "schema.json");
    writeFileSync(schema, (await run(join(tools, "pulumi"), ["package", "get-schema", launcher], { maxBuffer: 16 * 1024 * 1024 })).stdout);
    await run(join(tools, "apikeys-gensdk"), [schema, "python", join(dir, "sdk")]);
    // Installed (not only on the path): the SDK reads its own version from its package metadata.
    await run(join(pythonBin, "pip"), ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", join(dir, "site"), join(dir, "sdk")]);

    const project = join(dir, "project");
    mkdirSync(join(project, "state"), { recursive: true });
    for (const file of ["Pulumi.yaml", "__main__.py"]) copyFileSync(join(repoRoot, "examples", "python", file), join(project, file));
    const org = await server.createOrganization();
    const env = {
      ...process.env,
      PATH: `${pythonBin}:${bin}:${tools}:${process.env.PATH}`,
      PYTHONPATH: join(dir, "site"),
      PULUMI_BACKEND_URL: `file://${join(project, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "python-e2e",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      NO_COLOR: "1",
    };
    const pulumi = (args: string[]) =>
      run(join(tools, "pulumi"), args, { cwd: project, env, maxBuffer: 16 * 1024 * 1024 }).catch(
        (error: { stdout?: string; stderr?: string; message: string }) => {
          throw new Error(`pulumi ${args[0]} failed: ${error.message}\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
        },
      );
    await pulumi(["stack", "init", "dev"]);
    await pulumi(["config", "set", "apikeys:endpoint", server.url]);
    await pulumi(["config", "set", "apikeys:organizationId", org.id]);
    await pulumi(["config", "set", "--secret", "apikeys:token", org.token]);
    const whoami = (secret: string) => server.api("GET", "/v1/whoami", { headers: { authorization: `Api-Key ${secret}` } });
    const outputs = async () => JSON.parse((await pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as { keyId: string; secret: string };
    const stateText = () =>
      readdirSync(join(project, "state", ".pulumi", "stacks", "python-keys"))
        .map((f) => readFileSync(join(project, "state", ".pulumi", "stacks", "python-keys", f), "utf8"))
        .join("\n");

    expect((await pulumi(["up", "--yes", "--skip-preview"])).stdout).toContain("+ 3 created");
    const first = await outputs();
    expect(await whoami(first.secret)).toMatchObject({ status: 200, body: { keyId: first.keyId, displayName: "search from python" } });
    expect(stateText()).not.toContain(first.secret);
    expect(stateText()).not.toContain(org.token);

    // A new trigger: a replacement, the old key working through the grace period.
    await pulumi(["config", "set", "trigger", "second"]);
    await pulumi(["up", "--yes", "--skip-preview"]);
    const second = await outputs();
    expect(second.keyId).not.toBe(first.keyId);
    expect((await whoami(second.secret)).status).toBe(200);
    expect((await whoami(first.secret)).status).toBe(200);
    server.clock.advance(601);
    expect((await whoami(first.secret)).status).toBe(401);

    // Destroy keeps the declared grace period too, then the key is gone.
    await pulumi(["destroy", "--yes", "--skip-preview"]);
    server.clock.advance(601);
    expect((await whoami(second.secret)).status).toBe(401);
  });
});
