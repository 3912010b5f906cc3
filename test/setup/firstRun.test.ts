import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/engine";

const run = promisify(execFile);

/** Runs one of scripts/*.sh and returns its exit code and everything it printed. */
async function script(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run("bash", [path, ...args], { env, timeout: 20_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** A PATH holding every command of this one except `hidden`, as on a machine that lacks them. */
function pathWithout(hidden: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "apikeys-path-"));
  for (const entry of (process.env.PATH ?? "").split(delimiter)) {
    if (!existsSync(entry)) continue;
    for (const name of readdirSync(entry)) {
      if (hidden.includes(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(entry, name), join(dir, name));
    }
  }
  return dir;
}

describe("a first run on a machine that lacks a piece stops at once, naming it and the command that installs it", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  test("without a C compiler the preflight names build-essential before anything is downloaded or built", async () => {
    const path = pathWithout(["cc", "c++", "gcc", "g++"]);
    dirs.push(path);
    const { code, output } = await script(join(repoRoot, "scripts/preflight.sh"), ["demo"], { ...process.env, PATH: path });
    expect(code).toBe(1);
    expect(output).toContain("cc (builds the SQLite driver better-sqlite3): apt-get install build-essential python3");
    expect(output).toContain("nothing was installed or built");
  });

  test("node-gyp is pointed at the headers the running Node ships with, even when npm_config_nodedir is wrong", async () => {
    const { code, output } = await script(join(repoRoot, "scripts/nodedir.sh"), [], { ...process.env, npm_config_nodedir: "/nonexistent" });
    expect(code).toBe(0);
    expect(existsSync(join(output.trim(), "include/node/node.h"))).toBe(true);
  });

  test("a Node without its headers is named with the package that has them", async () => {
    // A `node` whose install prefix holds no include/node, as a Node copied without its headers.
    const prefix = mkdtempSync(join(tmpdir(), "apikeys-node-"));
    dirs.push(prefix);
    mkdirSync(join(prefix, "bin"));
    writeFileSync(join(prefix, "bin/node"), `#!/bin/sh\nexec ${process.execPath} "$@"\n`, { mode: 0o755 });
    const path = [join(prefix, "bin"), process.env.PATH].join(delimiter);
    const { code, output } = await script(join(repoRoot, "scripts/preflight.sh"), ["demo"], { ...process.env, PATH: path, npm_config_nodedir: "" });
    expect(code).toBe(1);
    expect(output).toContain("Node.js's C headers");
    expect(output).toContain("npm_config_nodedir");
  });

  test("an SQLite driver npm dropped after a failed build is reported by name with the fix, not found later as 'Cannot find module'", async () => {
    // A checkout whose install lost better-sqlite3: the scripts beside a server folder with no driver.
    const root = mkdtempSync(join(tmpdir(), "apikeys-checkout-"));
    dirs.push(root);
    mkdirSync(join(root, "server"));
    cpSync(join(repoRoot, "scripts"), join(root, "scripts"), { recursive: true });
    const { code, output } = await script(join(root, "scripts/check-native.sh"), [], { ...process.env, HOME: root });
    expect(code).toBe(1);
    expect(output).toContain("the SQLite driver better-sqlite3 (used by apikeys-server) is not installed or does not load");
    expect(output).toContain("npm_config_nodedir");
    expect(output).toContain("apt-get install build-essential");
  });

  test("on this machine the driver the setup built loads", async () => {
    const { code, output } = await script(join(repoRoot, "scripts/check-native.sh"), [], process.env);
    expect(output).toBe("");
    expect(code).toBe(0);
  });
});
