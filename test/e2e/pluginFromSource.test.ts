import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/engine";
import { whoami } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/testServer";

jest.setTimeout(600_000);
const run = promisify(execFile);
const tools = join(repoRoot, ".tools", "bin");

/**
 * The third way to get the native provider, for teams that run it from source: `pulumi package add`
 * on the installed package's `plugin/` folder (a PulumiPlugin.yaml, `runtime: nodejs`, and no
 * executable). The engine asks the Node.js language host to install the folder's dependencies and
 * to run it (RunPlugin, @pulumi/pulumi's run-plugin); nothing is downloaded or put in Pulumi's plugin
 * cache. Here the Node.js host is ours (tools/pulumi/languagehostshim in front of v3.68.0, which
 * answers RunPlugin "not supported") and the YAML host is pulumi-yaml v1.25.0 with the Link call later
 * releases have (tools/language-yaml): current Pulumi installs do both in their own hosts.
 */
describe("pulumi package add of the installed package's plugin folder, a YAML stack on the real engine", () => {
  let dir: string;
  let server: TestServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "apikeys-from-source-"));
    server = await startTestServer("sqlite");
    // The package as npm installs it (no self-link, no devDependencies), beside @pulumi/pulumi.
    const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: repoRoot });
    const tarball = join(dir, stdout.trim().split("\n").pop() ?? "");
    const pulumiVersion = (require("@pulumi/pulumi/package.json") as { version: string }).version;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "platform-keys", private: true }));
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball, `@pulumi/pulumi@${pulumiVersion}`], {
      cwd: dir,
      maxBuffer: 16 * 1024 * 1024,
    });
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("package add records the folder in Pulumi.yaml; up creates the key through the language host, nothing lands in the plugin cache; destroy revokes it", async () => {
    const project = join(dir, "keys");
    const pulumiHome = join(dir, ".pulumi-home");
    mkdirSync(join(project, "state"), { recursive: true });
    writeFileSync(
      join(project, "Pulumi.yaml"),
      [
        "name: platform-keys",
        "runtime: yaml",
        "resources:",
        "  search:",
        "    type: apikeys:ApiKey",
        "    properties:",
        "      displayName: search from source",
        "      privileges:",
        "        - owner: SEARCH_API",
        "          targetDomain: EXECUTE_QUERY",
        "          type: ENABLE",
        "outputs:",
        "  keyId: ${search.keyId}",
        "  secret: ${search.secret}",
        "",
      ].join("\n"),
    );
    const env = {
      ...process.env,
      PATH: `${tools}:${process.env.PATH}`,
      PULUMI_HOME: pulumiHome,
      PULUMI_BACKEND_URL: `file://${join(project, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "from-source",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      NO_COLOR: "1",
    };
    const pulumi = (args: string[], input = "") =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(join(tools, "pulumi"), args, { cwd: project, env });
        let out = "";
        child.stdout.on("data", (c) => (out += c));
        child.stderr.on("data", (c) => (out += c));
        child.stdin.end(input);
        child.once("error", reject);
        child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`pulumi ${args.join(" ")} exited ${code}:\n${out}`))));
      });

    const folder = join(dir, "node_modules", "pulumi-apikeys", "plugin");
    // The engine can only run this folder through PulumiPlugin.yaml: it holds no executable of the plugin's name.
    expect(existsSync(join(folder, "PulumiPlugin.yaml"))).toBe(true);
    expect(existsSync(join(folder, "pulumi-resource-apikeys"))).toBe(false);

    const added = await pulumi(["package", "add", "../node_modules/pulumi-apikeys/plugin"]);
    expect(added).toContain("Added package");
    expect(readFileSync(join(project, "Pulumi.yaml"), "utf8")).toMatch(/\npackages:\n {2}apikeys: \.\.\/node_modules\/pulumi-apikeys\/plugin\n/);

    const org = await server.createOrganization();
    await pulumi(["stack", "init", "dev"]);
    await pulumi(["config", "set", "apikeys:endpoint", server.url]);
    await pulumi(["config", "set", "apikeys:organizationId", org.id]);
    await pulumi(["config", "set", "--secret", "apikeys:token"], org.token);
    const up = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(up).toContain("+ 2 created");
    const { keyId, secret } = JSON.parse(await pulumi(["stack", "output", "--json", "--show-secrets"])) as { keyId: string; secret: string };
    expect(await whoami(server, secret)).toMatchObject({ status: 200, body: { keyId, displayName: "search from source" } });
    const stacks = join(project, "state", ".pulumi", "stacks");
    const state = readdirSync(stacks, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => readFileSync(join(f.parentPath, f.name), "utf8"))
      .join("\n");
    expect(state).toContain(keyId);
    expect(state).not.toContain(secret);
    expect(state).not.toContain(org.token);

    // Run from the folder: no plugin was downloaded or installed.
    const plugins = await pulumi(["plugin", "ls", "--json"]);
    expect((JSON.parse(plugins) as Array<{ name: string }>).map((p) => p.name)).not.toContain("apikeys");

    await pulumi(["destroy", "--yes", "--skip-preview"]);
    expect((await whoami(server, secret)).status).toBe(401);
  });
});
