import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as auto from "@pulumi/pulumi/automation";
import * as ts from "typescript";
import { ReloadingSecret } from "../../examples/consumers/reloadingSecret";
import { exampleProgram, pulumiCommand, repoRoot, type EngineStack } from "../helpers/engine";
import { startServerAndStack } from "../helpers/engineFixture";
import { whoami } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(300_000);

/**
 * docs/consumers.md on the real engine: examples/consumers writes the key's secret to a file that a
 * service re-reads (ReloadingSecret), and a second stack on the same backend reads it through a
 * StackReference. A rotation with a grace window: the file changes at `up` (never at preview), the
 * old secret keeps working until the window ends, the service moves to the new one without a
 * refused request, and the reader stack sees the new secret at its next `up`.
 */
describe("from the secret to its consumers (examples/consumers)", () => {
  let server: TestServer;
  let stack: EngineStack;
  let close: () => Promise<void>;
  let reader: auto.Stack;
  const files = mkdtempSync(join(tmpdir(), "consumers-"));
  const secretFile = join(files, "secrets", "search-key");
  const service = new ReloadingSecret(secretFile);
  /** The service's request: whoami with the secret it holds. */
  const serviceCall = () => service.send((secret) => whoami(server, secret));

  beforeAll(async () => {
    ({ server, stack, close } = await startServerAndStack({ name: "consumers", program: exampleProgram("consumers") }));
    await stack.stack.setConfig("consumers:secretFile", { value: secretFile });
    const backend = stack.stack.workspace.envVars.PULUMI_BACKEND_URL;
    const readerDir = join(stack.workDir, "reader");
    mkdirSync(readerDir, { recursive: true });
    reader = await auto.LocalWorkspace.createStack(
      { stackName: "e2e", projectName: "consumers-reader", program: exampleProgram("consumers/reader") },
      {
        workDir: readerDir,
        pulumiCommand: await pulumiCommand(),
        pulumiHome: join(stack.workDir, "home"),
        // The same file backend and passphrase: the reader decrypts the producer's secret outputs.
        envVars: { ...stack.stack.workspace.envVars, PULUMI_BACKEND_URL: backend },
      },
    );
    await reader.setConfig("reader:producerStack", { value: "organization/apikeys-e2e/e2e" });
  });
  afterAll(async () => {
    await reader?.destroy({ color: "never" }).catch(() => undefined);
    await close?.();
    rmSync(files, { recursive: true, force: true });
  });

  let first: { keyId: string; secret: string };

  test("up writes the secret to the file (mode 0600); the service reads it and is answered", async () => {
    const up = await stack.up();
    first = { keyId: String(up.outputs.keyId.value), secret: String(up.outputs.searchKey.value) };
    expect(up.outputs.searchKey.secret).toBe(true);
    expect(up.outputs.searchKeyFile).toEqual({ value: secretFile, secret: false });
    expect(readFileSync(secretFile, "utf8")).toBe(first.secret);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const answer = await serviceCall();
    expect(answer.status).toBe(200);
    expect(answer.body.keyId).toBe(first.keyId);
  });

  test("a second stack reads the secret through a StackReference: still a secret there, never in plain text in its state", async () => {
    const up = await reader.up({ color: "never" });
    expect(up.outputs.searchKeyForThisStack).toEqual({ value: first.secret, secret: true });
    expect(up.outputs.searchKeyId.value).toBe(first.keyId);
    // The state files on disk, both stacks' (one backend): the secret only ever encrypted.
    const onDisk = stack.exportedState();
    expect(onDisk).toContain("consumers-reader");
    expect(onDisk).not.toContain(first.secret);
  });

  test("a rotation: preview leaves the file alone; up replaces it; the old secret works through the grace window, the service moves on", async () => {
    const before = statSync(secretFile);
    await stack.stack.setConfig("consumers:rotation", { value: "rotate-now" });
    const preview = await stack.preview();
    expect(preview.changeSummary).toMatchObject({ replace: 1 });
    expect(statSync(secretFile).mtimeMs).toBe(before.mtimeMs);
    expect(readFileSync(secretFile, "utf8")).toBe(first.secret);

    const up = await stack.up();
    const second = { keyId: String(up.outputs.keyId.value), secret: String(up.outputs.searchKey.value) };
    expect(second.keyId).not.toBe(first.keyId);
    expect(readFileSync(secretFile, "utf8")).toBe(second.secret);
    // The grace window: a consumer still holding the old secret is answered.
    expect((await whoami(server, first.secret)).status).toBe(200);
    // The service re-reads the changed file at its next request: the new key answers.
    const moved = await serviceCall();
    expect(moved.status).toBe(200);
    expect(moved.body.keyId).toBe(second.keyId);

    // The reader stack sees the new secret at its next up (within the window).
    const readerUp = await reader.up({ color: "never" });
    expect(readerUp.outputs.searchKeyForThisStack.value).toBe(second.secret);

    // The window ends: the old secret is refused, the service is unaffected.
    server.clock.advance(3601);
    expect((await whoami(server, first.secret)).status).toBe(401);
    expect((await serviceCall()).status).toBe(200);
  });

  test("a service that cached the secret past the window gets one 401 and re-reads the file: send() retries once", async () => {
    const stale = new ReloadingSecret(secretFile);
    // Read before the rotation and sent once after it, as by a service that missed the change.
    const cached = stale.current();
    await stack.stack.setConfig("consumers:rotation", { value: "rotate-again" });
    await stack.up();
    server.clock.advance(3601);
    const statuses: number[] = [];
    let attempt = 0;
    const answer = await stale.send(async (secret) => {
      const result = await whoami(server, attempt++ === 0 ? cached : secret);
      statuses.push(result.status);
      return result;
    });
    expect(statuses).toEqual([401, 200]);
    expect(answer.status).toBe(200);
  });
});

/**
 * The Kubernetes Secret and GitHub Actions secret shapes (examples/consumers/platforms) type-check
 * against the real @pulumi/kubernetes and @pulumi/github, installed from the npm registry with the
 * example's own lock file (without their install scripts, which download provider plugins) into a
 * cache outside the checkout; @pulumi/pulumi and pulumi-apikeys are this repository's.
 */
describe("the Kubernetes and GitHub Actions consumers type-check (examples/consumers/platforms)", () => {
  const platforms = join(repoRoot, "examples", "consumers", "platforms");

  function installedTypes(): string {
    const lock = readFileSync(join(platforms, "package-lock.json"));
    const cacheRoot = process.env.PULUMI_APIKEYS_CACHE ?? join(homedir(), ".cache", "pulumi-apikeys");
    const dir = join(cacheRoot, `consumer-platforms-${createHash("sha256").update(lock).digest("hex").slice(0, 12)}`);
    if (existsSync(join(dir, "node_modules", "@pulumi", "kubernetes", "package.json"))) return dir;
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    cpSync(join(platforms, "package.json"), join(partial, "package.json"));
    cpSync(join(platforms, "package-lock.json"), join(partial, "package-lock.json"));
    execFileSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: partial, stdio: "pipe" });
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
    return dir;
  }

  test("kubernetes.ts and githubActions.ts compile with strict settings, and a wrong field is caught", () => {
    const installed = installedTypes();
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(platforms, "tsconfig.json"),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    if (!parsed) throw new Error("examples/consumers/platforms/tsconfig.json could not be read");
    const options: ts.CompilerOptions = {
      ...parsed.options,
      baseUrl: repoRoot,
      paths: {
        "pulumi-apikeys": ["provider/index.ts"],
        // One @pulumi/pulumi for all: this repository's (the cache's own copy would be a second one).
        "@pulumi/pulumi": ["node_modules/@pulumi/pulumi"],
        "@pulumi/pulumi/*": ["node_modules/@pulumi/pulumi/*"],
        "@pulumi/kubernetes": [join(installed, "node_modules/@pulumi/kubernetes")],
        "@pulumi/kubernetes/*": [join(installed, "node_modules/@pulumi/kubernetes/*")],
        "@pulumi/github": [join(installed, "node_modules/@pulumi/github")],
        "@pulumi/github/*": [join(installed, "node_modules/@pulumi/github/*")],
      },
    };
    const diagnostics = (files: string[], host?: ts.CompilerHost) =>
      ts.getPreEmitDiagnostics(ts.createProgram(files, options, host)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    expect(parsed.fileNames.map((f) => f.slice(platforms.length + 1)).sort()).toEqual(["githubActions.ts", "kubernetes.ts"]);
    expect(diagnostics(parsed.fileNames)).toEqual([]);

    // The check has teeth: the same file with a field the Secret does not have fails.
    const wrong = join(platforms, "kubernetes.ts");
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    host.readFile = (file) => (resolve(file) === wrong ? readFile(file)?.replace('type: "Opaque",', 'kind2: "Opaque",') : readFile(file));
    expect(diagnostics([wrong], host).join("\n")).toMatch(/'kind2' does not exist in type 'SecretArgs'/);
  });
});
