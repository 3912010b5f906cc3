import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { EngineStack } from "../test/helpers/engine";
import { floorProgram } from "./engineFloor";
import { PARALLEL } from "./providerOverhead";
import { ratioOf, statOf, type SizeSeriesResult, type SizeSeriesSize } from "./resultsSchema";
import { api, peakRssMiB, repoRoot, startServerProcess } from "./serverProcess";

/**
 * How cost grows with the stack (issue 38): `up` (create), a no-change `preview` and `destroy` of N
 * keys for several N, each against the no-op floor and the canned floor of the same N, all with
 * PULUMI_SKIP_CHECKPOINTS=true, so the ratio is what the provider adds and stays flat if the
 * provider is linear. At one size the same operations also run with checkpoints, ours and the no-op
 * floor: the file backend's rewrite of the whole state after every step is the engine's quadratic
 * cost, shown beside it. A fresh key server per size, so its peak RSS (VmHWM) is that size's; the
 * provider hosts' and the engine's peaks are sampled from this process's descendants only (other
 * work on the machine may run its own).
 */

export const SIZE_OPERATIONS = ["up (create)", "preview", "destroy"] as const;
type Operation = (typeof SIZE_OPERATIONS)[number];
export const SIZE_VARIANTS = ["ours", "floor", "cannedFloor", "oursCheckpoints", "floorCheckpoints"] as const;
type Variant = (typeof SIZE_VARIANTS)[number];

export interface SizeSeriesOptions {
  readonly sizes: number[];
  /** The size also measured with checkpoints. */
  readonly checkpointSize: number;
  readonly repeats: number;
  readonly quick: boolean;
  readonly log: (text: string) => void;
}

/** From this many keys, one run each (a full cycle of 2,000 keys takes minutes on 2 cores). */
export const SINGLE_RUN_FROM_KEYS = 1000;
/** From this many keys, the checkpointed variants run once (the quadratic rewrite makes them several times slower). */
export const SINGLE_CHECKPOINT_RUN_FROM_KEYS = 500;

/** The sizes of the series: BENCH_SIZES=100,500,2000, or the defaults (smaller for BENCH_QUICK=1). */
export function seriesSizes(quick: boolean): { sizes: number[]; checkpointSize: number } {
  const sizes = (process.env.BENCH_SIZES ?? (quick ? "20,50,100" : "100,500,2000")).split(",").map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`BENCH_SIZES must be whole numbers separated by commas, got ${process.env.BENCH_SIZES}`);
  // The middle size: large enough for the quadratic rewrite to show, small enough to run in minutes.
  return { sizes, checkpointSize: sizes[Math.floor((sizes.length - 1) / 2)] };
}

/** The fields of /proc/<pid>/stat after the parenthesized command (state is [0], ppid [1], utime [11], stime [12]). */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds a process has used so far (user + system), from /proc. */
function cpuMsOf(pid: string): number | undefined {
  const f = statFields(pid);
  return f ? ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND : undefined;
}

type Role = "provider" | "engine";

/** Which role a descendant plays: the dynamic-provider host (node …/cmd/dynamic-provider) or the engine (`pulumi`). */
function roleOf(pid: string): Role | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (argv.some((a) => a.includes("cmd/dynamic-provider"))) return "provider";
    if (argv[0].split("/").pop() === "pulumi") return "engine";
  } catch {
    // The process ended between the listing and the read.
  }
  return undefined;
}

/** What one operation cost each process: peak RSS (MiB) of the provider host and the engine, CPU ms of each and of the key server. */
interface ProcessCost {
  readonly peakRssMiB: Record<Role, number>;
  readonly cpuMs: Record<Role | "program" | "server", number>;
}

/** Every SAMPLE_MS: often enough that a provider host's last unsampled moment before it exits is small against an operation's seconds. */
const SAMPLE_MS = 50;

/**
 * Samples this process's descendants by role until stopped: the peak RSS (VmHWM is a high-water mark,
 * so a sample late in a process's life sees its whole peak) and the CPU each used since the start (the
 * last reading of each pid; a process that exits loses at most its last SAMPLE_MS). The key server,
 * started before, is read by pid at the start and the stop.
 */
function watchDescendants(serverPid: number | undefined): { stop(): ProcessCost } {
  const peak: Record<Role, number> = { provider: 0, engine: 0 };
  const cpuSeen = new Map<string, { role: Role; ms: number }>();
  const self = String(process.pid);
  const serverAtStart = serverPid === undefined ? 0 : (cpuMsOf(String(serverPid)) ?? 0);
  // A descendant already alive at the start counts only what it uses from now on.
  const atStart = new Map<string, number>();
  const sample = (baseline = false) => {
    const parents = new Map<string, string>();
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      const parent = statFields(pid)?.[1];
      if (parent) parents.set(pid, parent);
    }
    const descends = (pid: string) => {
      for (let p = parents.get(pid), hops = 0; p && hops < 16; p = parents.get(p), hops++) if (p === self) return true;
      return false;
    };
    for (const pid of parents.keys()) {
      if (!descends(pid)) continue;
      const role = cpuSeen.get(pid)?.role ?? roleOf(pid);
      if (!role) continue;
      peak[role] = Math.max(peak[role], peakRssMiB(Number(pid)) ?? 0);
      const ms = cpuMsOf(pid);
      if (ms === undefined) continue;
      if (baseline) atStart.set(pid, ms);
      cpuSeen.set(pid, { role, ms });
    }
  };
  // The program runs inline, in this process (the Automation API's language host): its CPU is this
  // process's, the sampling's own included.
  const programAtStart = process.cpuUsage();
  sample(true);
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop() {
      sample();
      clearInterval(timer);
      const serverNow = serverPid === undefined ? 0 : (cpuMsOf(String(serverPid)) ?? serverAtStart);
      const program = process.cpuUsage(programAtStart);
      const cpuMs = { provider: 0, engine: 0, program: (program.user + program.system) / 1000, server: serverNow - serverAtStart };
      for (const [pid, { role, ms }] of cpuSeen) cpuMs[role] += ms - (atStart.get(pid) ?? 0);
      return { peakRssMiB: peak, cpuMs };
    },
  };
}

/** bench/cannedKeyServer.js in its own process, like the reference server (its pid for its peak RSS). */
function startCannedKeyServer(): Promise<{ url: string; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, [join(repoRoot, "bench", "cannedKeyServer.js")], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve({ url: JSON.parse(chunk.toString()).url, pid: child.pid!, stop: () => child.kill("SIGTERM") }));
    child.once("exit", (code) => reject(new Error(`the canned key server exited with ${code}`)));
  });
}

function run(stack: EngineStack, operation: Operation): Promise<unknown> {
  const options = { parallel: PARALLEL };
  if (operation === "preview") return stack.preview(options);
  if (operation === "destroy") return stack.destroy(options);
  return stack.up(options);
}

/** One size: every variant's cycle (up, preview, destroy), the variants interleaved per operation. */
async function measureSize(n: number, withCheckpoints: boolean, options: SizeSeriesOptions): Promise<SizeSeriesSize> {
  const dir = mkdtempSync(join(tmpdir(), "apikeys-sizes-"));
  const server = await startServerProcess(`sqlite:${join(dir, "bench.db")}`, {}, { collectRequests: false });
  const canned = await startCannedKeyServer();
  const stacks = new Map<Variant, EngineStack>();
  try {
    const org = await api(server.url, "POST", "/v1/organizations", server.rootToken, { name: "bench" });
    const connection = { endpoint: server.url, organizationId: org.id, token: org.token };
    const noCheckpoints = { PULUMI_SKIP_CHECKPOINTS: "true" };
    const make = (variant: Variant, program: ReturnType<typeof floorProgram> | undefined, env: Record<string, string>) =>
      EngineStack.create({ name: `sizes-${variant}-${n}`, ...connection, env, ...(program ? { program } : {}) });
    stacks.set("ours", await make("ours", undefined, noCheckpoints));
    stacks.set("floor", await make("floor", floorProgram(n), noCheckpoints));
    stacks.set("cannedFloor", await make("cannedFloor", floorProgram(n, true), { ...noCheckpoints, BENCH_CANNED_KEY_URL: canned.url }));
    if (withCheckpoints) {
      stacks.set("oursCheckpoints", await make("oursCheckpoints", undefined, {}));
      stacks.set("floorCheckpoints", await make("floorCheckpoints", floorProgram(n), {}));
    }
    const privileges = [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }];
    const keys = Object.fromEntries(Array.from({ length: n }, (_, i) => [`key-${i}`, { description: "benchmark key", privileges }]));
    for (const variant of ["ours", "oursCheckpoints"] as const) {
      const stack = stacks.get(variant);
      if (stack) stack.keys = keys;
    }
    const runs = n >= SINGLE_RUN_FROM_KEYS ? 1 : options.repeats;
    const checkpointRuns = n >= SINGLE_CHECKPOINT_RUN_FROM_KEYS ? 1 : runs;
    const samples = new Map<Variant, Record<Operation, number[]>>([...stacks.keys()].map((v) => [v, { "up (create)": [], preview: [], destroy: [] }]));
    const memory = new Map<Variant, Record<Role, number>>([...stacks.keys()].map((v) => [v, { provider: 0, engine: 0 }]));
    const cpu = new Map<Variant, Record<Operation, Array<ProcessCost["cpuMs"]>>>(
      [...stacks.keys()].map((v) => [v, { "up (create)": [], preview: [], destroy: [] }]),
    );
    // Each variant's key server: ours the reference server, the canned floor its canned one, the no-op floor none.
    const serverPidOf = (variant: Variant) => (variant.startsWith("ours") ? server.pid : variant === "cannedFloor" ? canned.pid : undefined);
    for (let repeat = 0; repeat < runs; repeat++) {
      const present = [...stacks.keys()].filter((v) => repeat < checkpointRuns || !v.endsWith("Checkpoints"));
      // Reversed every other repeat, so neither side always runs first after a busy moment.
      const order = repeat % 2 === 0 ? present : [...present].reverse();
      for (const operation of SIZE_OPERATIONS) {
        for (const variant of order) {
          const watcher = watchDescendants(serverPidOf(variant));
          const started = performance.now();
          await run(stacks.get(variant)!, operation);
          samples.get(variant)![operation].push((performance.now() - started) / 1000);
          const cost = watcher.stop();
          const kept = memory.get(variant)!;
          kept.provider = Math.max(kept.provider, cost.peakRssMiB.provider);
          kept.engine = Math.max(kept.engine, cost.peakRssMiB.engine);
          cpu.get(variant)![operation].push(cost.cpuMs);
        }
      }
    }
    const operations = SIZE_OPERATIONS.map((operation) => {
      const of = (variant: Variant) => samples.get(variant)?.[operation];
      const ours = of("ours")!;
      const floor = of("floor")!;
      const cannedFloor = of("cannedFloor")!;
      const oursCheckpoints = of("oursCheckpoints");
      const floorCheckpoints = of("floorCheckpoints");
      // CPU per key of each process, the median over the runs (each process's own median).
      const cpuPerKey = (variant: Variant) => {
        const runs = cpu.get(variant)![operation];
        const median = (pick: (c: ProcessCost["cpuMs"]) => number) => Math.round((statOf(runs.map(pick), 3).median / n) * 1000) / 1000;
        return { provider: median((c) => c.provider), engine: median((c) => c.engine), program: median((c) => c.program), server: median((c) => c.server) };
      };
      return {
        operation,
        cpuMsPerKey: { ours: cpuPerKey("ours"), floor: cpuPerKey("floor"), cannedFloor: cpuPerKey("cannedFloor") },
        ours: statOf(ours),
        floor: statOf(floor),
        cannedFloor: statOf(cannedFloor),
        floorRatio: ratioOf(ours, floor),
        cannedFloorRatio: ratioOf(ours, cannedFloor),
        ...(oursCheckpoints && floorCheckpoints
          ? {
              withCheckpoints: {
                runs: oursCheckpoints.length,
                ours: statOf(oursCheckpoints),
                floor: statOf(floorCheckpoints),
                floorRatio: ratioOf(oursCheckpoints, floorCheckpoints),
              },
            }
          : {}),
      };
    });
    const peakOf = (variant: Variant) => memory.get(variant)!;
    return {
      keys: n,
      runs,
      operations,
      peakRssMiB: {
        oursProvider: peakOf("ours").provider,
        floorProvider: peakOf("floor").provider,
        cannedFloorProvider: peakOf("cannedFloor").provider,
        oursEngine: peakOf("ours").engine,
        floorEngine: peakOf("floor").engine,
        ...(withCheckpoints ? { oursEngineWithCheckpoints: peakOf("oursCheckpoints").engine } : {}),
        server: peakRssMiB(server.pid) ?? 0,
        cannedServer: peakRssMiB(canned.pid) ?? 0,
      },
    };
  } finally {
    await Promise.all([...stacks.values()].map((s) => s.dispose()));
    canned.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** os.loadavg() (1, 5, 15 minutes) to two decimals. */
function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = loadavg().map((l) => Math.round(l * 100) / 100);
  return [one, five, fifteen];
}

/** The series, one size after another (smallest first), printed as it goes. */
export async function measureSizeSeries(options: SizeSeriesOptions): Promise<SizeSeriesResult> {
  const started = Date.now();
  const loadAverageAtStart = loadAverage();
  const { log } = options;
  log(
    `\n== how cost grows (parallel ${PARALLEL}, PULUMI_SKIP_CHECKPOINTS=true; with checkpoints too at ${options.checkpointSize}), keys: ${options.sizes.join(", ")} ==`,
  );
  log("operation      keys  runs  ours s  floor s  x floor (min-max)    canned s  x canned (min-max)   ours ms/key");
  const sizes: SizeSeriesSize[] = [];
  for (const n of options.sizes) {
    const size = await measureSize(n, n === options.checkpointSize, options);
    sizes.push(size);
    const range = (s: { min: number; median: number; max: number }) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
    for (const o of size.operations) {
      log(
        [
          o.operation.padEnd(12),
          String(n).padStart(6),
          String(size.runs).padStart(5),
          o.ours.median.toFixed(2).padStart(7),
          o.floor.median.toFixed(2).padStart(8),
          range(o.floorRatio).padStart(19),
          o.cannedFloor.median.toFixed(2).padStart(10),
          range(o.cannedFloorRatio).padStart(19),
          ((o.ours.median * 1000) / n).toFixed(1).padStart(12),
        ].join(" "),
      );
      if (o.withCheckpoints) {
        const c = o.withCheckpoints;
        log(
          `  with checkpoints (${c.runs} run${c.runs === 1 ? "" : "s"}): ours ${c.ours.median.toFixed(2)} s (${(c.ours.median / o.ours.median).toFixed(2)}x without), floor ${c.floor.median.toFixed(2)} s (${(c.floor.median / o.floor.median).toFixed(2)}x without), ours/floor ${range(c.floorRatio)}`,
        );
      }
    }
    const m = size.peakRssMiB;
    log(
      `  peak RSS MiB: provider host ours ${m.oursProvider}, floor ${m.floorProvider}, canned ${m.cannedFloorProvider}; engine ours ${m.oursEngine}, floor ${m.floorEngine}${m.oursEngineWithCheckpoints === undefined ? "" : `, with checkpoints ${m.oursEngineWithCheckpoints}`}; key server ${m.server}, canned server ${m.cannedServer}`,
    );
  }
  return {
    recordedAt: new Date().toISOString(),
    quick: options.quick,
    seconds: Math.round((Date.now() - started) / 1000),
    loadAverageAtStart,
    loadAverageAtEnd: loadAverage(),
    parallel: PARALLEL,
    repeats: options.repeats,
    checkpointSize: options.checkpointSize,
    sizes,
  };
}
