import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { delimiter, join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/engine";
import { startTestServer, type TestServer } from "../helpers/testServer";

// The release build (about a minute: the 100 MB executable is gzipped at -9), a fresh virtualenv from PyPI, then the engine.
jest.setTimeout(900_000);
const run = promisify(execFile);
const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
const pulumiSdkVersion = (JSON.parse(readFileSync(join(repoRoot, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string }).version;
/** The cached CLI (.tools/bin/pulumi links to it); its language hosts live beside it, where the engine looks for them. */
const pulumiBinary = realpathSync(join(repoRoot, ".tools", "bin", "pulumi"));

/** A folder served over HTTP on loopback the way a release page serves its files: GET /v<version>/<file>. */
function serveRelease(folder: string): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const match = /^\/v([^/]+)\/([^/?]+)$/.exec(request.url ?? "");
    const file = match && match[1] === version ? join(folder, decodeURIComponent(match[2])) : undefined;
    if (request.method !== "GET" || !file || !existsSync(file)) {
      response.writeHead(404).end("not found");
      return;
    }
    const body = readFileSync(file);
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests })),
  );
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Every file below `folder`, as paths relative to it with `/`. */
const filesBelow = (folder: string): string[] =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join("/"))
    .sort();

/** The file names SHA256SUMS lists. */
const listedIn = (sums: string): string[] =>
  sums
    .trim()
    .split("\n")
    .map((line) => line.replace(/^[0-9a-f]{64} {2}/, ""))
    .sort();

/** A numbered step of PUBLISHING.md, from its bold title to the next step. */
function publishingStep(guide: string, title: string): string {
  const start = guide.indexOf(`**${title}**`);
  expect({ title, found: start >= 0 }).toEqual({ title, found: true });
  const rest = guide.slice(start);
  const next = /\n\d+\. /.exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

/** The one `sha256sum` command (a code span) in a piece of PUBLISHING.md. */
function checkCommandIn(text: string): string {
  const commands = [...text.matchAll(/`([^`]*sha256sum[^`]*)`/g)].map((match) => match[1]);
  expect(commands).toHaveLength(1);
  return commands[0];
}

/** Runs a shell command line as a user would type it, in `cwd`; resolves to its exit code and output. */
function shell(command: string, cwd: string): Promise<{ code: number; output: string }> {
  return run("bash", ["-c", command], { cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, output: (error.stdout ?? "") + (error.stderr ?? "") }),
  );
}

/** What a stack test needs: a project folder, a clean environment, and the CLI run in it. */
async function cleanStack(options: {
  project: string;
  files: Record<string, string>;
  path: string[];
  home: string;
  server: TestServer;
  extraEnv?: Record<string, string>;
}) {
  const { project, home, server } = options;
  mkdirSync(join(project, "state"), { recursive: true });
  mkdirSync(home, { recursive: true });
  for (const [name, text] of Object.entries(options.files)) writeFileSync(join(project, name), text);
  // Nothing of this machine's environment: no node, no npm on the PATH the engine and the plugin see.
  expect(options.path.flatMap((p) => readdirSync(p)).filter((f) => /^(node|nodejs|npm|npx)$/.test(f))).toEqual([]);
  const env = {
    PATH: options.path.join(delimiter),
    HOME: home,
    PULUMI_HOME: join(home, ".pulumi"),
    PULUMI_BACKEND_URL: `file://${join(project, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "release-e2e",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    NO_COLOR: "1",
    ...options.extraEnv,
  };
  const pulumi = (args: string[]) =>
    run(join(options.path[0], "pulumi"), args, { cwd: project, env, maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`pulumi ${args.join(" ")} failed: ${error.message}\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
      },
    );
  const org = await server.createOrganization();
  await pulumi(["stack", "init", "dev"]);
  await pulumi(["config", "set", "apikeys:endpoint", server.url]);
  await pulumi(["config", "set", "apikeys:organizationId", org.id]);
  await pulumi(["config", "set", "--secret", "apikeys:token", org.token]);
  const stacks = join(project, "state", ".pulumi", "stacks");
  const outputs = async () => JSON.parse((await pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as { keyId: string; secret: string };
  const whoami = (secret: string) => server.api("GET", "/v1/whoami", { headers: { authorization: `Api-Key ${secret}` } });
  const stateText = () =>
    readdirSync(stacks, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => readFileSync(join(f.parentPath, f.name), "utf8"))
      .join("\n");
  return {
    org,
    pulumi,
    installedPlugin: join(home, ".pulumi", "plugins", `resource-apikeys-v${version}`, "pulumi-resource-apikeys"),
    outputs,
    whoami,
    stateText,
    /** After an `up` of one key: it answers whoami, neither its secret nor the admin token is in state, and `destroy` revokes it. */
    async keyWorksUntilDestroyed(): Promise<void> {
      const key = await outputs();
      expect(await whoami(key.secret)).toMatchObject({ status: 200, body: { keyId: key.keyId } });
      expect(stateText()).not.toContain(key.secret);
      expect(stateText()).not.toContain(org.token);
      await pulumi(["destroy", "--yes", "--skip-preview"]);
      expect((await whoami(key.secret)).status).toBe(401);
    },
  };
}

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * A release as `npm run release` makes it, served from loopback the way GitHub serves a release, used
 * the way a user of each language uses one: no repository, no node_modules, no Node.js on the PATH
 * the engine and the plugin see, an empty Pulumi home. The engine downloads and installs the plugin
 * from the schema's pluginDownloadURL itself.
 */
describe("a release build, installed the standard Pulumi way", () => {
  let dir: string;
  let release: string;
  let served: Awaited<ReturnType<typeof serveRelease>>;
  let server: TestServer;
  /** A PATH directory with the CLI alone: no node, no npm. */
  let tools: string;

  /** `npm run release`'s build into `folder`, downloading from the loopback server; the time stamp from git unless `epoch` is given. */
  const buildRelease = (folder: string, epoch?: number) => {
    const { SOURCE_DATE_EPOCH: _given, ...env } = process.env;
    return run(process.execPath, [join(repoRoot, "scripts", "release", "build.js")], {
      cwd: repoRoot,
      env: {
        ...env,
        PATH: `${join(repoRoot, ".tools", "bin")}${delimiter}${process.env.PATH}`,
        APIKEYS_RELEASE_DIR: folder,
        APIKEYS_PLUGIN_DOWNLOAD_URL: `${served.url}/v\${VERSION}`,
        ...(epoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(epoch) }),
      },
      maxBuffer: 64 * 1024 * 1024,
    });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "apikeys-release-"));
    release = join(dir, "release");
    mkdirSync(release);
    served = await serveRelease(release);
    await buildRelease(release);
    tools = join(dir, "tools");
    mkdirSync(tools);
    symlinkSync(pulumiBinary, join(tools, "pulumi"));
    server = await startTestServer("sqlite");
  });
  afterAll(async () => {
    await server?.close();
    served?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("the folder holds every artifact, listed in SHA256SUMS; the plugin archive has the executable at its root", async () => {
    const files = readdirSync(release).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        `pulumi-apikeys-${version}.tgz`,
        `apikeys-server-${version}.tgz`,
        `pulumi-resource-apikeys-v${version}-linux-amd64.tar.gz`,
        `pulumi_apikeys-${version}-py3-none-any.whl`,
        `pulumi_apikeys-${version}.tar.gz`,
        `pulumi-apikeys-sdk-go-v${version}.tar.gz`,
        "schema.json",
        "release.json",
        "PUBLISHING.md",
        "SHA256SUMS",
        "docs",
        "sdk",
      ]),
    );
    const sums = readFileSync(join(release, "SHA256SUMS"), "utf8").trim().split("\n");
    for (const line of sums) {
      const [sum, name] = line.split(/\s+/);
      expect(sha256(join(release, name))).toBe(sum);
    }
    // Every file published anywhere: the folders docs/ (the registry) and sdk/go/ (the Go module) too.
    expect(listedIn(sums.join("\n"))).toEqual(filesBelow(release).filter((f) => f !== "SHA256SUMS"));
    expect(listedIn(sums.join("\n"))).toEqual(expect.arrayContaining(["docs/_index.md", "sdk/go/go.mod", "sdk/go/go.sum"]));

    const built = JSON.parse(readFileSync(join(release, "release.json"), "utf8"));
    // The commit's time stamps every entry (SOURCE_DATE_EPOCH was not set): one of the latest commits', as others may have landed since.
    const commitTimes = execFileSync("git", ["log", "-50", "--format=%ct"], { cwd: repoRoot }).toString().trim().split("\n").map(Number);
    expect(commitTimes).toContain(built.sourceDateEpoch);
    const stamp = new Date(built.sourceDateEpoch * 1000).toISOString().replace("T", " ").slice(0, 19);
    for (const platform of ["linux-amd64", "linux-arm64"]) {
      const archive = join(release, `pulumi-resource-apikeys-v${version}-${platform}.tar.gz`);
      const listing = (await run("tar", ["--full-time", "-tvzf", archive], { env: { ...process.env, TZ: "UTC" } })).stdout;
      expect(listing).toMatch(/^-rwxr-xr-x \S+ +\d+ \S+ \S+ pulumi-resource-apikeys$/m);
      expect(
        listing
          .trim()
          .split("\n")
          .map((line) => line.split(/ +/).slice(3, 5).join(" ")),
      ).toEqual([stamp, stamp]);
    }
    expect(built.plugins["linux-arm64"]).toMatchObject({ node: expect.stringMatching(/^v\d+\./), startedByTheBuild: false });

    const schema = JSON.parse(readFileSync(join(release, "schema.json"), "utf8"));
    expect(schema).toMatchObject({ name: "apikeys", version, pluginDownloadURL: `${served.url}/v\${VERSION}` });
    expect(readFileSync(join(release, "sdk", "go", "go.mod"), "utf8")).toMatch(/^module github\.com\/[^/]+\/pulumi-apikeys\/sdk\/go$/m);

    // The publishing steps name this release's tags and every file a user's engine or installer fetches.
    const guide = readFileSync(join(release, "PUBLISHING.md"), "utf8");
    expect(guide).toContain(`git tag v${version}`);
    expect(guide).toContain(`git tag sdk/go/v${version}`);
    for (const name of [
      ...Object.values(built.plugins as Record<string, { archive: string }>).map((p) => p.archive),
      `pulumi_apikeys-${version}-py3-none-any.whl`,
      `pulumi-apikeys-${version}.tgz`,
    ])
      expect(guide).toContain(name);
  });

  test("SHA256SUMS checks a folder holding only the GitHub release's files and the Go module, each with the command PUBLISHING.md gives", async () => {
    const guide = readFileSync(join(release, "PUBLISHING.md"), "utf8");
    // The whole folder, as the guide's first line says.
    expect(guide).toContain("`sha256sum -c SHA256SUMS`");
    expect(await shell("sha256sum -c SHA256SUMS", release)).toMatchObject({ code: 0 });

    // The GitHub release: exactly the files the guide lists, in a folder of their own, as a user downloads them.
    const github = publishingStep(guide, "GitHub release");
    const attached = [...github.matchAll(/^ {3}- `([^`]+)`$/gm)].map((match) => match[1]);
    expect(attached).toEqual(expect.arrayContaining(["SHA256SUMS", `pulumi-resource-apikeys-v${version}-linux-amd64.tar.gz`]));
    const downloads = join(dir, "github-release");
    mkdirSync(downloads);
    for (const name of attached) copyFileSync(join(release, name), join(downloads, name));
    const check = checkCommandIn(github);
    const checked = await shell(check, downloads);
    expect(checked).toMatchObject({ code: 0 });
    expect(checked.output.trim().split("\n").sort()).toEqual(
      attached
        .filter((name) => name !== "SHA256SUMS")
        .map((name) => `${name}: OK`)
        .sort(),
    );
    // It still catches a damaged download, and a folder with nothing to check.
    const archive = join(downloads, attached[0]);
    const bytes = readFileSync(archive);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(archive, bytes);
    expect(await shell(check, downloads)).toMatchObject({ code: 1, output: expect.stringContaining(`${attached[0]}: FAILED`) });
    const empty = join(dir, "nothing-downloaded");
    mkdirSync(empty);
    copyFileSync(join(release, "SHA256SUMS"), join(empty, "SHA256SUMS"));
    expect(await shell(check, empty)).toMatchObject({ code: 1, output: expect.stringContaining("no file was verified") });

    // The Go module: the generated SDK copied into a checkout of the repository, checked from its root.
    const checkout = join(dir, "checkout");
    mkdirSync(join(checkout, "docs"), { recursive: true });
    // The repository's own docs/ holds other files than the release's docs/: the Go check must not read them.
    writeFileSync(join(checkout, "docs", "_index.md"), "the repository's own page\n");
    cpSync(join(release, "sdk", "go"), join(checkout, "sdk", "go"), { recursive: true });
    const goCheck = await shell(checkCommandIn(publishingStep(guide, "Tags")).replace("<this folder>", release), checkout);
    expect(goCheck).toMatchObject({ code: 0 });
    expect(goCheck.output.trim().split("\n").sort()).toEqual(
      filesBelow(join(release, "sdk", "go"))
        .map((file) => `sdk/go/${file}: OK`)
        .sort(),
    );
  });

  test("Python: pip installs the wheel, and `pulumi up` installs the plugin from the download URL, creates, rotates with grace and destroys a key", async () => {
    const venv = join(dir, "venv");
    await run("python3", ["-m", "venv", venv]);
    // The wheel as a user gets it: from the release's address.
    const wheel = `${served.url}/v${version}/pulumi_apikeys-${version}-py3-none-any.whl`;
    await run(join(venv, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", `pulumi==${pulumiSdkVersion}`, wheel], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const sdkPlugin = JSON.parse(
      (
        await run(join(venv, "bin", "python"), [
          "-c",
          "import importlib.resources as r; print(r.files('pulumi_apikeys').joinpath('pulumi-plugin.json').read_text())",
        ])
      ).stdout,
    );
    expect(sdkPlugin).toEqual({ resource: true, name: "apikeys", version, server: `${served.url}/v\${VERSION}` });

    const { org, pulumi, installedPlugin, outputs, whoami, stateText } = await cleanStack({
      project: join(dir, "python-project"),
      home: join(dir, "python-home"),
      server,
      // The CLI alone, then the virtualenv (the language host runs its python).
      path: [tools, join(venv, "bin")],
      files: {
        "Pulumi.yaml": "name: release-python\nruntime: python\n",
        "__main__.py": [
          "import pulumi",
          "import pulumi_apikeys as apikeys",
          "",
          "config = pulumi.Config()",
          'search = apikeys.ApiKey("search", description="from the released wheel",',
          '    rotation=apikeys.RotationArgs(trigger=config.get("trigger") or "first", grace_period_seconds=600))',
          'pulumi.export("keyId", search.key_id)',
          'pulumi.export("secret", search.secret)',
          "",
        ].join("\n"),
      },
    });

    const firstUp = await pulumi(["up", "--yes", "--skip-preview"]);
    const archive = `pulumi-resource-apikeys-v${version}-linux-amd64.tar.gz`;
    expect(served.requests).toContain(`GET /v${version}/${archive}`);
    expect(firstUp.stdout).toContain(`Installing plugin apikeys-${version}: done`);
    expect(firstUp.stdout).toContain("+ 2 created");
    expect(firstUp.stdout + firstUp.stderr).not.toContain("from $PATH");
    // What the engine installed: the single executable (an ELF file, not a script for node).
    expect(readFileSync(installedPlugin).subarray(0, 4)).toEqual(ELF);
    const plugins = JSON.parse((await pulumi(["plugin", "ls", "--json"])).stdout) as Array<{ name: string; kind: string; version: string }>;
    expect(plugins).toEqual([expect.objectContaining({ name: "apikeys", kind: "resource", version })]);

    const first = await outputs();
    expect(await whoami(first.secret)).toMatchObject({ status: 200, body: { keyId: first.keyId, displayName: "search" } });
    expect(stateText()).toContain(first.keyId);
    expect(stateText()).not.toContain(first.secret);
    expect(stateText()).not.toContain(org.token);

    // A new trigger: the new key first, the old one working through its grace period.
    await pulumi(["config", "set", "trigger", "second"]);
    await pulumi(["up", "--yes", "--skip-preview"]);
    const second = await outputs();
    expect(second.keyId).not.toBe(first.keyId);
    expect((await whoami(second.secret)).status).toBe(200);
    expect((await whoami(first.secret)).status).toBe(200);
    expect(stateText()).not.toContain(second.secret);
    server.clock.advance(601);
    expect((await whoami(first.secret)).status).toBe(401);

    await pulumi(["destroy", "--yes", "--skip-preview"]);
    server.clock.advance(601);
    expect((await whoami(second.secret)).status).toBe(401);
    // Downloaded once: the later runs used the installed plugin.
    expect(served.requests.filter((r) => r.endsWith(archive))).toHaveLength(1);
  });

  test("YAML: `pulumi plugin install resource apikeys <version> --server <url>`, then a YAML program creates and destroys a key", async () => {
    const { pulumi, installedPlugin, keyWorksUntilDestroyed } = await cleanStack({
      project: join(dir, "yaml-project"),
      home: join(dir, "yaml-home"),
      server,
      path: [tools],
      files: {
        "Pulumi.yaml": [
          "name: release-yaml",
          "runtime: yaml",
          "resources:",
          "  search:",
          "    type: apikeys:ApiKey",
          "    properties:",
          "      description: from the released plugin",
          "outputs:",
          "  keyId: ${search.keyId}",
          "  secret: ${search.secret}",
          "",
        ].join("\n"),
      },
    });
    await pulumi(["plugin", "install", "resource", "apikeys", version, "--server", `${served.url}/v\${VERSION}`]);
    expect(readFileSync(installedPlugin).subarray(0, 4)).toEqual(ELF);
    const up = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(up.stdout).toContain("+ 2 created");
    await keyWorksUntilDestroyed();
  });

  test("Go: a program whose go.mod replaces the SDK module with the release's sdk/go; the engine installs the plugin from the download URL", async () => {
    const goBin = join(execFileSync("go", ["env", "GOROOT"]).toString().trim(), "bin");
    const goEnv = Object.fromEntries(["GOPROXY", "GOMODCACHE", "GOCACHE", "GOPATH"].map((name) => [name, execFileSync("go", ["env", name]).toString().trim()]));
    const module = /^module (\S+)$/m.exec(readFileSync(join(release, "sdk", "go", "go.mod"), "utf8"))![1];
    const project = join(dir, "go-project");
    const { pulumi, installedPlugin, keyWorksUntilDestroyed } = await cleanStack({
      project,
      home: join(dir, "go-home"),
      server,
      // The CLI, then the Go toolchain (go and gofmt): the language host builds the program with it.
      path: [tools, goBin],
      extraEnv: { ...goEnv, GOFLAGS: "-mod=mod", GONOSUMDB: "github.com/pulumi/pulumi", GOTOOLCHAIN: "local" },
      files: {
        "Pulumi.yaml": "name: release-go\nruntime: go\n",
        "go.mod": ["module release-go", "", "go 1.25", "", `require ${module} v${version}`, "", `replace ${module} => ${join(release, "sdk", "go")}`, ""].join(
          "\n",
        ),
        "main.go": [
          "package main",
          "",
          "import (",
          `\t"${module}/apikeys"`,
          '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"',
          ")",
          "",
          "func main() {",
          "\tpulumi.Run(func(ctx *pulumi.Context) error {",
          '\t\tkey, err := apikeys.NewApiKey(ctx, "search", &apikeys.ApiKeyArgs{Description: pulumi.String("from the released Go module")})',
          "\t\tif err != nil {",
          "\t\t\treturn err",
          "\t\t}",
          '\t\tctx.Export("keyId", key.KeyId)',
          '\t\tctx.Export("secret", key.Secret)',
          "\t\treturn nil",
          "\t})",
          "}",
          "",
        ].join("\n"),
      },
    });
    await run("go", ["mod", "tidy"], {
      cwd: project,
      env: { ...process.env, ...goEnv, GOFLAGS: "-mod=mod", GONOSUMDB: "github.com/pulumi/pulumi", GOTOOLCHAIN: "local" },
    });
    const downloads = () => served.requests.filter((r) => r === `GET /v${version}/pulumi-resource-apikeys-v${version}-linux-amd64.tar.gz`).length;
    const before = downloads();
    const up = await pulumi(["up", "--yes", "--skip-preview"]);
    // Our Go language host names no required plugins: the engine downloads the plugin when the program registers the key.
    expect(up.stdout).toContain("Downloading provider: apikeys");
    expect(downloads()).toBe(before + 1);
    expect(up.stdout).toContain("+ 2 created");
    expect(readFileSync(installedPlugin).subarray(0, 4)).toEqual(ELF);
    await keyWorksUntilDestroyed();
  });

  // One more build (about 70 s with warm caches on 2 cores, most of it gzip -9 of the two executables):
  // the first is the one every test above used.
  test("a second build of the same commit is byte-identical: the same SHA256SUMS, every file included", async () => {
    const built = JSON.parse(readFileSync(join(release, "release.json"), "utf8")) as { sourceDateEpoch: number };
    const again = join(dir, "release-again");
    // The first build's commit time: a commit landing meanwhile in a shared checkout is another commit.
    await buildRelease(again, built.sourceDateEpoch);
    expect(filesBelow(again)).toEqual(filesBelow(release));
    expect(readFileSync(join(again, "SHA256SUMS"), "utf8")).toBe(readFileSync(join(release, "SHA256SUMS"), "utf8"));
    expect(await shell("sha256sum -c SHA256SUMS", again)).toMatchObject({ code: 0 });
  });
});
