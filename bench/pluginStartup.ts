import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { statOf, type BenchResults } from "./resultsSchema";

/**
 * How long the native provider plugin takes from process start to printing its port (what the engine
 * waits for before its first call), for each way it can ship, against the floor of `node -e` printing
 * a port. Needs `npm run build` (it bundles dist/). `npm run bench` records it in
 * bench/results/latest.json; `npx tsx bench/pluginStartup.ts` alone prints it.
 */
const root = join(__dirname, "..");
const { buildExecutable, bundlePlugin, hostTarget } = require("../scripts/release/sea") as {
  buildExecutable(o: {
    bundle: string;
    target: string;
    dir: string;
    cache: string;
    log: (t: string) => void;
    start?: "snapshot" | "codeCache" | "source";
  }): Promise<{ executable: string }>;
  bundlePlugin(o: { root: string; outfile: string; settings: unknown; minify?: boolean }): Promise<string>;
  hostTarget(): string;
};
const { releaseSettings } = require("../scripts/release/settings") as { releaseSettings(): { repository: string } };

const FLOOR = `require("node:net").createServer().listen(0, "127.0.0.1", function () { process.stdout.write(this.address().port + "\\n"); });`;

/** Milliseconds from spawn to the first line on stdout; the process is then killed. */
function timeToPort(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        child.kill("SIGKILL");
        resolve(ms);
      }
    });
    child.once("exit", (code) => (out.includes("\n") ? undefined : reject(new Error(`${command} exited with ${code} before printing a port`))));
  });
}

/** Each case `runs` times, interleaved (every case once per round), after a first round that warms the page cache. */
export async function measurePluginStartup(runs: number, log: (text: string) => void): Promise<BenchResults["pluginStartup"]> {
  const work = mkdtempSync(join(tmpdir(), "apikeys-startup-"));
  const cache = process.env.PULUMI_APIKEYS_CACHE ?? join(homedir(), ".cache", "pulumi-apikeys");
  try {
    const { repository: _repository, ...settings } = releaseSettings();
    const bundle = await bundlePlugin({ root, outfile: join(work, "plugin.js"), settings });
    const floorScript = join(work, "floor.js");
    writeFileSync(floorScript, FLOOR);
    const sea = async (name: string, script: string, start: "snapshot" | "codeCache" | "source") => {
      const dir = join(work, name);
      mkdirSync(dir);
      return (await buildExecutable({ bundle: script, target: hostTarget(), dir, cache, log: () => undefined, start })).executable;
    };
    const node = process.execPath;
    const empty = { PATH: "" };
    const cases: Array<[string, string, string[], NodeJS.ProcessEnv]> = [
      ["floor: node -e (listen, print the port)", node, ["-e", FLOOR], empty],
      ["floor as a single executable", await sea("floor", floorScript, "codeCache"), [], empty],
      ["plugin: single executable, startup snapshot (the release)", await sea("snapshot", bundle, "snapshot"), [], empty],
      ["plugin: single executable, code cache", await sea("cached", bundle, "codeCache"), [], empty],
      ["plugin: single executable, no code cache", await sea("plain", bundle, "source"), [], empty],
      ["plugin: node <bundle.js> (esbuild, minified)", node, [bundle], empty],
      ["plugin: node dist/provider/native/main.js (bin/, node_modules)", node, [join(root, "dist", "provider", "native", "main.js")], empty],
    ];
    log(`== native provider plugin: process start to port printed (${runs} runs each, interleaved) ==`);
    const samples = cases.map(() => [] as number[]);
    for (let i = 0; i < runs + 1; i++) {
      for (const [index, [, command, args, env]] of cases.entries()) {
        const ms = await timeToPort(command, args, env);
        if (i > 0) samples[index].push(ms); // the first round warms the page cache
      }
    }
    const floorMedian = statOf(samples[0], 0).median;
    const results = cases.map(([name], index) => {
      const ms = statOf(samples[index], 0);
      log(`${name.padEnd(66)} min ${String(ms.min).padStart(4)} ms  median ${String(ms.median).padStart(4)} ms  max ${String(ms.max).padStart(4)} ms`);
      return { case: name, ms, ratioToFloor: Math.round((ms.median / floorMedian) * 100) / 100 };
    });
    return { runs, cases: results };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  measurePluginStartup(Number(process.env.BENCH_STARTUP_RUNS ?? 15), (text) => process.stdout.write(`${text}\n`)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  });
}
