import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliProject, goSdkEnv, pythonSdkEnv } from "../helpers/cliProject";
import { repoRoot } from "../helpers/engine";
import { whoami } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/testServer";

// The Go program's first build compiles Pulumi's Go SDK (about a minute on 2 cores).
jest.setTimeout(400_000);

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
  Python: { example: "python", files: ["Pulumi.yaml", "__main__.py"], displayName: "search from python", prepare: pythonSdkEnv },
  /**
   * The SDK generated the same way (with its go.mod), the program built by the Go language host (ours:
   * tools/pulumi/languagego) against Pulumi's Go SDK from the module proxy.
   */
  Go: { example: "go", files: ["Pulumi.yaml", "main.go", "go.mod"], displayName: "search from go", prepare: goSdkEnv },
  /** Nothing to generate: the YAML language host reads the provider's schema through the engine. */
  YAML: { example: "yaml", files: ["Pulumi.yaml"], displayName: "search from yaml", prepare: async () => ({}) },
};

/**
 * A project made from `examples/<language>` in `dir`, as a user has it after `npm install pulumi-apikeys`,
 * with its stack `dev` configured for `server`; `pulumi` runs the CLI in it.
 */
async function stackProject(language: Language, server: TestServer, dir: string) {
  const files = Object.fromEntries(language.files.map((file) => [file, readFileSync(join(repoRoot, "examples", language.example, file), "utf8")]));
  const project = await cliProject(join(dir, "project"), files, language.prepare);
  const { pulumi } = project;
  const org = await server.createOrganization();
  await pulumi(["stack", "init", "dev"]);
  await pulumi(["config", "set", "apikeys:endpoint", server.url]);
  await pulumi(["config", "set", "apikeys:organizationId", org.id]);
  await pulumi(["config", "set", "--secret", "apikeys:token", org.token]);
  return { project: project.dir, org, pulumi, stateText: project.stateText };
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
    const { org, pulumi, stateText } = await stackProject(language, server, dir);
    const outputs = async () => JSON.parse((await pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as { keyId: string; secret: string };

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
