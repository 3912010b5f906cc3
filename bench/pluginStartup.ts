import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

/**
 * `npx tsx bench/pluginStartup.ts`: how long the native provider plugin takes from process start to
 * printing its port (what the engine waits for before its first call), for each way it can ship,
 * against the floor of `node -e` printing a port. Needs `npm run build` (it bundles dist/). Written to
 * bench/results/latest-plugin-startup.json.
 */
const root = join(__dirname, "..");
const { buildExecutable, bundlePlugin, hostTarget } = require("../scripts/release/sea") as {
  buildExecutable(o: {
    bundle: string;
    target: string;
    dir: string;
    cache: string;
    log: (t: string) => void;
    codeCache?: boolean;
  }): Promise<{ executable: string }>;
  bundlePlugin(o: { root: string; outfile: string; settings: unknown; minify?: boolean }): Promise<string>;
  hostTarget(): string;
};
const { releaseSettings } = require("../scripts/release/settings") as { releaseSettings(): { repository: string } };

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
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

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return { minMs: Math.round(sorted[0]), p50Ms: at(0.5), p90Ms: at(0.9) };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "apikeys-startup-"));
  const cache = process.env.PULUMI_APIKEYS_CACHE ?? join(homedir(), ".cache", "pulumi-apikeys");
  const log = (text: string) => process.stdout.write(`${text}\n`);
  try {
    const { repository: _repository, ...settings } = releaseSettings();
    const bundle = await bundlePlugin({ root, outfile: join(work, "plugin.js"), settings });
    const floorScript = join(work, "floor.js");
    writeFileSync(floorScript, FLOOR);
    const sea = async (name: string, script: string, codeCache: boolean) => {
      const dir = join(work, name);
      mkdirSync(dir);
      return (await buildExecutable({ bundle: script, target: hostTarget(), dir, cache, log: () => undefined, codeCache })).executable;
    };
    const node = process.execPath;
    const empty = { PATH: "" };
    const cases: Array<[string, string, string[], NodeJS.ProcessEnv]> = [
      ["floor: node -e (listen, print the port)", node, ["-e", FLOOR], empty],
      ["floor as a single executable", await sea("floor", floorScript, true), [], empty],
      ["plugin: single executable, code cache (the release)", await sea("cached", bundle, true), [], empty],
      ["plugin: single executable, no code cache", await sea("plain", bundle, false), [], empty],
      ["plugin: node <bundle.js> (esbuild, minified)", node, [bundle], empty],
      ["plugin: node dist/provider/native/main.js (bin/, node_modules)", node, [join(root, "dist", "provider", "native", "main.js")], empty],
    ];
    const results: Array<{ case: string } & ReturnType<typeof summary>> = [];
    log(`== native provider plugin: process start to port printed (${RUNS} runs each, interleaved) ==`);
    const samples = cases.map(() => [] as number[]);
    for (let i = 0; i < RUNS + 1; i++) {
      for (const [index, [, command, args, env]] of cases.entries()) {
        const ms = await timeToPort(command, args, env);
        if (i > 0) samples[index].push(ms); // the first round warms the page cache
      }
    }
    for (const [index, [name]] of cases.entries()) {
      results.push({ case: name, ...summary(samples[index]) });
      const { minMs, p50Ms, p90Ms } = results[results.length - 1];
      log(`${name.padEnd(66)} min ${String(minMs).padStart(4)} ms  p50 ${String(p50Ms).padStart(4)} ms  p90 ${String(p90Ms).padStart(4)} ms`);
    }
    writeFileSync(
      join(__dirname, "results", "latest-plugin-startup.json"),
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: require("node:os").cpus().length, runs: RUNS, results }, null, 2)}\n`,
    );
    log("written bench/results/latest-plugin-startup.json");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
