import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/engine";
import { callApi } from "../helpers/testServer";

jest.setTimeout(600_000);

const run = promisify(execFile);
const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

/** Every package npm installed under `dir` (the whole tree, nested ones included). */
async function installedPackages(dir: string): Promise<Set<string>> {
  const { stdout } = await run("npm", ["ls", "--all", "--json", "--omit=dev"], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: { stdout: string }) => error,
  );
  const names = new Set<string>();
  const walk = (deps: Record<string, { dependencies?: Record<string, unknown> }> | undefined) => {
    for (const [name, info] of Object.entries(deps ?? {})) {
      names.add(name);
      walk(info.dependencies as never);
    }
  };
  walk(JSON.parse(stdout).dependencies);
  return names;
}

/**
 * The packages as npm installs them, used as a user would: `npm pack` of both, the provider's
 * tarball installed with @pulumi/pulumi into a fresh directory outside the repository (no
 * self-link), the server's into another (an operator's), the server started from its installed bin,
 * a user's Pulumi.yaml and index.ts, and the `pulumi` CLI (with the Node.js language host) for every
 * step. A file missing from `files`, a broken `exports` path, a bin that does not start, or a server
 * dependency leaking into the stack's install fails here.
 */
describe("the packed package, installed from its tarball, driven by the pulumi CLI", () => {
  let dir: string;
  let serverDir: string;
  let server: ChildProcess;
  let url: string;
  let org: { id: string; token: string };
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    PATH: `${join(repoRoot, ".tools", "bin")}:${process.env.PATH}`,
    PULUMI_BACKEND_URL: `file://${join(dir, "state")}`,
    PULUMI_HOME: join(dir, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: "packed-test",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    NO_COLOR: "1",
  });
  /** `pulumi ARGS` in the user's directory (or `cwd`); `input` on stdin (a secret never in argv). */
  const pulumi = (args: string[], input?: string, cwd = dir) =>
    new Promise<{ code: number; out: string }>((resolve, reject) => {
      const child = spawn(join(repoRoot, ".tools", "bin", "pulumi"), args, { cwd, env: env() });
      let out = "";
      child.stdout.on("data", (c) => (out += c));
      child.stderr.on("data", (c) => (out += c));
      child.stdin.end(input ?? "");
      child.once("error", reject);
      child.once("exit", (code) => resolve({ code: code ?? -1, out }));
    });
  const ok = async (args: string[], input?: string, cwd = dir) => {
    const result = await pulumi(args, input, cwd);
    if (result.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.out}`);
    return result.out;
  };
  const output = async (name: string) => JSON.parse(await ok(["stack", "output", name, "--show-secrets", "--json"]));
  const program = (search: string, trigger = "2026-Q4") =>
    writeFileSync(
      join(dir, "index.ts"),
      `import { ApiKey } from "pulumi-apikeys";

const search = new ApiKey("storefront-search", {
  displayName: "Storefront search",
  description: "The storefront's search page; owned by team web",
  privileges: [${search}],
  rotation: { trigger: "${trigger}", gracePeriodSeconds: 3600 },
});
export const keyId = search.keyId;
export const secret = search.secret;
`,
    );
  const executeQuery = `{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }`;
  const queryPipelines = `{ owner: "SEARCH_API", targetDomain: "QUERY_PIPELINES", type: "VIEW" }`;
  const whoami = (secret: string) => callApi(url, "GET", "/v1/whoami", { headers: { authorization: `Api-Key ${secret}` } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "apikeys-packed-"));
    serverDir = mkdtempSync(join(tmpdir(), "apikeys-server-packed-"));
    const pack = async (args: string[], destination: string) => {
      const { stdout } = await run("npm", ["pack", "--silent", ...args, "--pack-destination", destination], { cwd: repoRoot });
      return join(destination, stdout.trim().split("\n").pop()!);
    };
    const tarball = await pack([], dir);
    const serverTarball = await pack(["--workspace", "server"], serverDir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "storefront-keys", private: true, main: "index.ts" }));
    writeFileSync(join(serverDir, "package.json"), JSON.stringify({ name: "key-service", private: true }));
    // From npm's cache when it holds them (a fresh machine's `npm ci` filled it); versions as the repository's.
    const install = (cwd: string, packages: string[]) =>
      run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...packages], { cwd, maxBuffer: 16 * 1024 * 1024 });
    await install(dir, [tarball, `@pulumi/pulumi@${versionOf("@pulumi/pulumi")}`, `@pulumi/policy@${versionOf("@pulumi/policy")}`]);
    await install(serverDir, [serverTarball]);
    writeFileSync(join(dir, "Pulumi.yaml"), "name: storefront-keys\nruntime: nodejs\n");

    // The server from its installed bin.
    const rootToken = randomBytes(24).toString("base64url");
    server = spawn(join(serverDir, "node_modules", ".bin", "apikeys-server"), ["--port", "0"], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, "keys.db")}`, APIKEYS_ROOT_TOKEN: rootToken },
    });
    url = await new Promise<string>((resolve, reject) => {
      let buffer = "";
      let errors = "";
      server.stdout!.on("data", (chunk) => {
        buffer += chunk;
        const line = buffer.split("\n").find((l) => l.includes('"listening"'));
        if (line) resolve(JSON.parse(line).url);
      });
      server.stderr!.on("data", (chunk) => (errors += chunk));
      server.once("exit", (code) => reject(new Error(`apikeys-server exited with ${code}: ${errors.slice(0, 2000)}`)));
    });
    org = (await callApi(url, "POST", "/v1/organizations", { token: rootToken, body: { name: "storefront" } })).body;

    mkdirSync(join(dir, "state"));
    await ok(["stack", "init", "prod"]);
    await ok(["config", "set", "apikeys:endpoint", url]);
    await ok(["config", "set", "apikeys:organizationId", org.id]);
    await ok(["config", "set", "--secret", "apikeys:token"], org.token);
  });
  afterAll(async () => {
    server?.kill("SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (serverDir) rmSync(serverDir, { recursive: true, force: true });
  });

  test("a stack installs the provider lean: no web server, database driver or native build comes with it", async () => {
    const stack = await installedPackages(dir);
    expect(stack.has("pulumi-apikeys")).toBe(true);
    for (const serverOnly of ["apikeys-server", "hono", "@hono/node-server", "kysely", "pg", "better-sqlite3"]) expect(stack.has(serverOnly)).toBe(false);
    const operator = await installedPackages(serverDir);
    for (const serverPart of ["apikeys-server", "hono", "kysely"]) expect(operator.has(serverPart)).toBe(true);
    expect(operator.has("pulumi-apikeys")).toBe(false);
  });

  test("install, up, no-change preview, in-place privilege change, rotation with grace, refresh after a revoke, review, policy, destroy", async () => {
    program(executeQuery);
    const up = await ok(["up", "--yes", "--skip-preview"]);
    expect(up).toContain("+ 2 created");
    expect(up).not.toContain("from $PATH");
    const history = JSON.parse(await ok(["stack", "history", "--json"]));
    expect(history[0].environment["exec.kind"]).toBe("cli");
    const keyId: string = await output("keyId");
    const secret: string = await output("secret");
    expect((await whoami(secret)).body.keyId).toBe(keyId);
    // The secret is only ciphertext in the state file, and so is the admin token.
    const stateFile = join(dir, "state", ".pulumi", "stacks", "storefront-keys", "prod.json");
    const state = readFileSync(stateFile, "utf8");
    expect(state).not.toContain(secret);
    expect(state).not.toContain(org.token);
    expect(readFileSync(join(dir, "Pulumi.prod.yaml"), "utf8")).not.toContain(org.token);

    expect((await pulumi(["preview", "--expect-no-changes"])).code).toBe(0);

    // A privilege more: updated in place, same key, same secret.
    program(`${executeQuery}, ${queryPipelines}`);
    await ok(["up", "--yes", "--skip-preview"]);
    expect(await output("keyId")).toBe(keyId);
    expect(await output("secret")).toBe(secret);
    expect((await whoami(secret)).body.privileges).toHaveLength(2);

    // The review of a preview that adds impersonation: a high risk, and --fail-on high exits 2.
    program(`${executeQuery}, ${queryPipelines}, { owner: "SEARCH_API", targetDomain: "IMPERSONATE", type: "ENABLE" }`);
    const preview = await ok(["preview", "--json"]);
    writeFileSync(join(dir, "preview.json"), preview);
    const review = await run(join(dir, "node_modules", ".bin", "pulumi-apikeys"), ["review", "preview.json"], { cwd: dir });
    expect(review.stdout).toContain("⛔ high: grants SEARCH_API/IMPERSONATE/ENABLE — can run queries as any user");
    await expect(run(join(dir, "node_modules", ".bin", "pulumi-apikeys"), ["review", "preview.json", "--fail-on", "high"], { cwd: dir })).rejects.toMatchObject(
      { code: 2 },
    );

    // The policy pack from the installed package refuses it at preview.
    const policy = await pulumi(["preview", "--policy-pack", "node_modules/pulumi-apikeys/policy"]);
    expect(policy.code).not.toBe(0);
    expect(policy.out).toContain("apikeys-sensitive-privileges");
    expect(policy.out).toContain("storefront-search: high-risk privilege: SEARCH_API/IMPERSONATE/ENABLE");

    // Rotation with a grace period: a new key; the old secret keeps working for the grace period.
    program(`${executeQuery}, ${queryPipelines}`, "2027-Q1");
    await ok(["up", "--yes", "--skip-preview"]);
    const rotatedId: string = await output("keyId");
    const rotatedSecret: string = await output("secret");
    expect(rotatedId).not.toBe(keyId);
    expect((await whoami(rotatedSecret)).status).toBe(200);
    expect((await whoami(secret)).status).toBe(200);

    // Revoked out of band: refresh drops it from the state, and up makes a new one.
    expect((await callApi(url, "DELETE", `/v1/organizations/${org.id}/keys/${rotatedId}`, { token: org.token })).status).toBe(200);
    await ok(["refresh", "--yes", "--skip-preview"]);
    const repaired = await ok(["up", "--yes", "--skip-preview"]);
    expect(repaired).toContain("1 created");
    const repairedSecret: string = await output("secret");
    expect((await whoami(repairedSecret)).status).toBe(200);

    await ok(["destroy", "--yes", "--skip-preview"]);
    const left = await callApi(url, "GET", `/v1/organizations/${org.id}/keys`, { token: org.token });
    expect(left.body.items.filter((k: { status: string }) => k.status === "active")).toEqual([]);
  });

  test("the native provider from the installed package: named in Pulumi.yaml (node_modules/pulumi-apikeys/bin), or installed with pulumi plugin install", async () => {
    const yaml = join(dir, "yaml-keys");
    mkdirSync(yaml);
    writeFileSync(
      join(yaml, "Pulumi.yaml"),
      [
        "name: yaml-keys",
        "runtime: yaml",
        "plugins:",
        "  providers:",
        "    - name: apikeys",
        "      path: ../node_modules/pulumi-apikeys/bin",
        "resources:",
        "  reports:",
        "    type: apikeys:ApiKey",
        "    properties:",
        "      description: Nightly reports; owned by team data",
        "outputs:",
        "  keyId: ${reports.keyId}",
        "  secret: ${reports.secret}",
        "",
      ].join("\n"),
    );
    await ok(["stack", "init", "prod"], undefined, yaml);
    await ok(["config", "set", "apikeys:endpoint", url], undefined, yaml);
    await ok(["config", "set", "apikeys:organizationId", org.id], undefined, yaml);
    await ok(["config", "set", "--secret", "apikeys:token"], org.token, yaml);
    const up = await ok(["up", "--yes", "--skip-preview"], undefined, yaml);
    expect(up).toContain("+ 2 created");
    expect(up).not.toContain("from $PATH");
    const secret = JSON.parse(await ok(["stack", "output", "secret", "--show-secrets", "--json"], undefined, yaml));
    expect((await whoami(secret)).body.displayName).toBe("reports");
    await ok(["destroy", "--yes", "--skip-preview"], undefined, yaml);
    expect((await whoami(secret)).status).toBe(401);

    // Or installed into Pulumi's plugin cache: the copy runs the project's installed package.
    const version = (JSON.parse(readFileSync(join(dir, "node_modules", "pulumi-apikeys", "package.json"), "utf8")) as { version: string }).version;
    await ok(["plugin", "install", "resource", "apikeys", version, "--file", join(dir, "node_modules", "pulumi-apikeys", "bin", "pulumi-resource-apikeys")]);
    writeFileSync(join(yaml, "Pulumi.yaml"), readFileSync(join(yaml, "Pulumi.yaml"), "utf8").replace(/plugins:\n( {2}.*\n)+/, ""));
    expect(readFileSync(join(yaml, "Pulumi.yaml"), "utf8")).not.toContain("plugins:");
    const fromCache = await ok(["up", "--yes", "--skip-preview"], undefined, yaml);
    expect(fromCache).toContain("+ 2 created");
    expect(fromCache).not.toContain("from $PATH");
    const cachedSecret = JSON.parse(await ok(["stack", "output", "secret", "--show-secrets", "--json"], undefined, yaml));
    expect((await whoami(cachedSecret)).status).toBe(200);
    await ok(["destroy", "--yes", "--skip-preview"], undefined, yaml);
  });
});
