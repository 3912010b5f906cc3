import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/engine";
import { whoami } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/testServer";

// The Go program's first build compiles Pulumi's Go SDK (about a minute on 2 cores).
jest.setTimeout(400_000);
const run = promisify(execFile);
const tools = join(repoRoot, ".tools", "bin");

/** What one language needs besides the example's files: files to copy, and a setup (an SDK) before the first `up`. */
interface Language {
  readonly example: string;
  readonly files: readonly string[];
  readonly displayName: string;
  /** Extra environment for the engine; may generate and install what the program imports. */
  prepare(project: string, plugin: string): Promise<Record<string, string>>;
}

const LANGUAGES: Record<string, Language> = {
  /** The SDK generated from the schema the plugin serves, by Pulumi's code generators; Pulumi's Python SDK from PyPI. */
  Python: {
    example: "python",
    files: ["Pulumi.yaml", "__main__.py"],
    displayName: "search from python",
    async prepare(project, plugin) {
      const pythonBin = process.env.APIKEYS_TEST_PYTHON_BIN;
      if (!pythonBin) throw new Error("APIKEYS_TEST_PYTHON_BIN is not set: run the tests with npm test (scripts/ensure-python.sh makes the virtualenv)");
      const schema = join(project, "..", "schema.json");
      writeFileSync(schema, (await run(join(tools, "pulumi"), ["package", "get-schema", plugin], { maxBuffer: 16 * 1024 * 1024 })).stdout);
      const sdk = join(project, "..", "sdk");
      const site = join(project, "..", "site");
      await run(join(tools, "apikeys-gensdk"), [schema, "python", sdk]);
      // Installed (not only on the path): the SDK reads its own version from its package metadata.
      await run(join(pythonBin, "pip"), ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", site, sdk]);
      return { PATH: `${pythonBin}:${tools}:${process.env.PATH}`, PYTHONPATH: site };
    },
  },
  /**
   * The SDK generated the same way (with its go.mod), the program built by the Go language host (ours:
   * tools/pulumi/languagego) against Pulumi's Go SDK from the module proxy.
   */
  Go: {
    example: "go",
    files: ["Pulumi.yaml", "main.go", "go.mod"],
    displayName: "search from go",
    async prepare(project, plugin) {
      const schema = join(project, "..", "schema.json");
      writeFileSync(schema, (await run(join(tools, "pulumi"), ["package", "get-schema", plugin], { maxBuffer: 16 * 1024 * 1024 })).stdout);
      await run(join(tools, "apikeys-gensdk"), [schema, "go", join(project, "sdk", "go")]);
      const env = { ...process.env, GOFLAGS: "-mod=mod", GONOSUMDB: "github.com/pulumi/pulumi" };
      await run("go", ["mod", "tidy"], { cwd: project, env, maxBuffer: 16 * 1024 * 1024 });
      return { GOFLAGS: env.GOFLAGS, GONOSUMDB: env.GONOSUMDB };
    },
  },
  /** Nothing to generate: the YAML language host reads the provider's schema through the engine. */
  YAML: {
    example: "yaml",
    files: ["Pulumi.yaml"],
    displayName: "search from yaml",
    async prepare() {
      return {};
    },
  },
};

/**
 * A project made from `examples/<language>` in `dir`, as a user has it after `npm install pulumi-apikeys`,
 * with its stack `dev` configured for `server`; `pulumi` runs the CLI in it.
 */
async function stackProject(language: Language, server: TestServer, dir: string) {
  const project = join(dir, "project");
  mkdirSync(join(project, "state"), { recursive: true });
  for (const file of language.files) copyFileSync(join(repoRoot, "examples", language.example, file), join(project, file));
  // What `npm install pulumi-apikeys` leaves in the project: the example's Pulumi.yaml points the engine at its bin/.
  mkdirSync(join(project, "node_modules"));
  symlinkSync(repoRoot, join(project, "node_modules", "pulumi-apikeys"));
  const plugin = join(project, "node_modules", "pulumi-apikeys", "bin", "pulumi-resource-apikeys");

  const org = await server.createOrganization();
  const env = {
    ...process.env,
    PATH: `${tools}:${process.env.PATH}`,
    PULUMI_BACKEND_URL: `file://${join(project, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "languages-e2e",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    NO_COLOR: "1",
    ...(await language.prepare(project, plugin)),
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
  return { project, org, pulumi };
}

/**
 * The examples in other languages on the real Pulumi engine: the language hosts we build (Python from
 * sdk/v3 v3.68.0, YAML from pulumi-yaml, Go our own), the real CLI, and pulumi-resource-apikeys started from the
 * project's `node_modules/pulumi-apikeys/bin` as its Pulumi.yaml says: the same ApiKey as TypeScript.
 */
describe.each(Object.entries(LANGUAGES))("examples/%s, a stack on the real Pulumi engine", (_name, language) => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
    dir = mkdtempSync(join(tmpdir(), `apikeys-${language.example}-`));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("up creates the key with its secret encrypted in state, a new trigger rotates it with a grace period, destroy revokes it after the same grace", async () => {
    const { project, org, pulumi } = await stackProject(language, server, dir);
    const outputs = async () => JSON.parse((await pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as { keyId: string; secret: string };
    const stacks = join(project, "state", ".pulumi", "stacks");
    const stateText = () =>
      readdirSync(stacks, { recursive: true, withFileTypes: true })
        .filter((f) => f.isFile())
        .map((f) => readFileSync(join(f.parentPath, f.name), "utf8"))
        .join("\n");

    const firstUp = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(firstUp.stdout).toContain("+ 3 created");
    // Started from the project's plugin folder, not found on PATH.
    expect(firstUp.stdout + firstUp.stderr).not.toContain("from $PATH");
    const first = await outputs();
    expect(await whoami(server, first.secret)).toMatchObject({ status: 200, body: { keyId: first.keyId, displayName: language.displayName } });
    expect(stateText()).toContain(first.keyId);
    expect(stateText()).not.toContain(first.secret);
    expect(stateText()).not.toContain(org.token);

    // The detailed diff the native provider reports, as `preview --diff` shows it in this language too.
    await pulumi(["config", "set", "trigger", "second"]);
    expect((await pulumi(["preview", "--diff"])).stdout).toMatch(/\+-.*apikeys:index:ApiKey: \(replace\)[\s\S]*rotation/);

    // A new trigger: a replacement, the old key working through the grace period.
    await pulumi(["up", "--yes", "--skip-preview"]);
    const second = await outputs();
    expect(second.keyId).not.toBe(first.keyId);
    expect((await whoami(server, second.secret)).status).toBe(200);
    expect((await whoami(server, first.secret)).status).toBe(200);
    server.clock.advance(601);
    expect((await whoami(server, first.secret)).status).toBe(401);

    // Destroy keeps the declared grace period too, then the key is gone.
    await pulumi(["destroy", "--yes", "--skip-preview"]);
    server.clock.advance(601);
    expect((await whoami(server, second.secret)).status).toBe(401);
  });
});

/**
 * `pulumi import` in a YAML project prints the code that declares the imported key: the YAML host
 * (pulumi-yaml v1.25) has the GenerateProgram the v3.68 Node.js and Python hosts lack.
 */
describe("pulumi import of an existing key into a Pulumi YAML stack", () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
    dir = mkdtempSync(join(tmpdir(), "apikeys-yaml-import-"));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("keeps the key, says its secret is unknown, and prints the YAML that declares it as the API reports it", async () => {
    const { org, pulumi } = await stackProject(LANGUAGES.YAML, server, dir);
    const made = (
      await server.api("POST", `/v1/organizations/${org.id}/keys`, {
        token: org.token,
        body: {
          displayName: "made by hand",
          description: "Legacy reports key",
          privileges: [{ owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW" }],
        },
      })
    ).body;
    const imported = await pulumi(["import", "apikeys:index:ApiKey", "legacy", made.id, "--yes", "--protect=false"]);
    expect(imported.stdout).toContain("= 1 imported");
    // The code Pulumi prints to paste into Pulumi.yaml.
    expect(imported.stdout).toMatch(/resources:\n {2}legacy:\n {4}type: apikeys:ApiKey\n {4}properties:\n/);
    expect(imported.stdout).toContain("displayName: made by hand");
    expect(imported.stdout).toMatch(/- owner: SEARCH_API\n\s+targetDomain: VIEW_ALL_CONTENT\n\s+type: VIEW/);
    const state = JSON.parse((await pulumi(["stack", "export", "--show-secrets"])).stdout) as {
      deployment: { resources: Array<{ urn: string; id?: string; outputs?: Record<string, unknown> }> };
    };
    expect(state.deployment.resources.find((r) => r.urn.endsWith("::legacy"))).toMatchObject({
      id: made.id,
      outputs: { keyId: made.id, secretAvailable: false },
    });
    // Still the same key, still working with the secret its maker holds.
    expect((await whoami(server, made.secret)).body.keyId).toBe(made.id);
  });
});
