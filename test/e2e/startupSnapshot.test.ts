import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers/engine";

// Two 100 MB executables are copied and injected; the bundle needs `npx tsc -p tsconfig.json` first.
jest.setTimeout(300_000);

interface Sea {
  bundlePlugin(o: { root: string; outfile: string; settings: unknown; entry?: string }): Promise<string>;
  buildExecutable(o: { bundle: string; target: string; dir: string; cache: string; log: (t: string) => void }): Promise<{ executable: string }>;
  hostTarget(): string;
}
const sea = require("../../scripts/release/sea") as Sea;
const cache = process.env.PULUMI_APIKEYS_CACHE ?? join(homedir(), ".cache", "pulumi-apikeys");

/** The first line the executable prints (its port) and what it wrote to stderr until then; then it is killed. */
function firstLine(executable: string, env: NodeJS.ProcessEnv): Promise<{ line: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, [], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) {
        child.kill("SIGKILL");
        resolve({ line: out.split("\n")[0], stderr });
      }
    });
    child.once("exit", (code) => (out.includes("\n") ? undefined : reject(new Error(`exited with ${code} before a line: ${stderr}`))));
  });
}

/**
 * The release executable starts from a V8 startup snapshot of its evaluated modules
 * (scripts/release/sea.js). What a snapshot must not freeze: Node's pool behind crypto.randomUUID,
 * which would give every start the same idempotency keys.
 */
describe("the plugin's startup snapshot", () => {
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "apikeys-snapshot-"));
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("is refused when a module draws from crypto.randomUUID while it is built", async () => {
    const entry = join(work, "drawsAtLoad.js");
    writeFileSync(
      entry,
      `const id = require("node:crypto").randomUUID();\nrequire("node:v8").startupSnapshot.setDeserializeMainFunction(() => process.stdout.write(id + "\\n"));\n`,
    );
    const bundle = await sea.bundlePlugin({ root: repoRoot, outfile: join(work, "drawsAtLoad.bundle.js"), settings: {}, entry });
    const dir = join(work, "refused");
    mkdirSync(dir);
    await expect(sea.buildExecutable({ bundle, target: sea.hostTarget(), dir, cache, log: () => undefined })).rejects.toThrow(
      /crypto\.randomUUID was called while the startup snapshot was built/,
    );
  });

  it("gives the plugin other UUIDs on every start", async () => {
    const bundle = await sea.bundlePlugin({ root: repoRoot, outfile: join(work, "plugin.js"), settings: {} });
    const dir = join(work, "plugin");
    mkdirSync(dir);
    const logged: string[] = [];
    const { executable } = await sea.buildExecutable({ bundle, target: sea.hostTarget(), dir, cache, log: (t) => logged.push(t) });
    // Where this machine cannot make the snapshot reproducibly the build says so and uses the code cache.
    expect(logged.filter((t) => t.includes("no startup snapshot"))).toEqual([]);
    // A preloaded script runs in the started executable, with the modules the snapshot holds.
    const preload = join(work, "uuid.js");
    writeFileSync(preload, `process.stderr.write("uuid " + require("node:crypto").randomUUID() + "\\n");\n`);
    const starts = [];
    for (let i = 0; i < 2; i++) starts.push(await firstLine(executable, { NODE_OPTIONS: `--require ${preload}` }));
    for (const { line } of starts) expect(line).toMatch(/^\d+$/);
    const uuids = starts.map(({ stderr }) => /uuid (\S+)/.exec(stderr)?.[1]);
    expect(uuids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(uuids[1]).not.toBe(uuids[0]);
  });
});
