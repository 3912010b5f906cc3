import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineStack } from "../test/helpers/engine";
import { floorProgram } from "./engineFloor";
import { ratioOf, statOf, type BenchResults, type OperationResult } from "./resultsSchema";
import { api, peakRssMiB, repoRoot, startServerProcess, watchPeakRss } from "./serverProcess";

export const PARALLEL = 16;
const OPERATIONS = ["up (create)", "up (no change)", "preview", "refresh", "destroy"] as const;
type Operation = (typeof OPERATIONS)[number];
type Variant = "ours" | "floor" | "cannedFloor";

async function withConcurrency<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

const seconds = async (f: () => Promise<unknown>) => {
  const started = performance.now();
  await f();
  return (performance.now() - started) / 1000;
};

function run(stack: EngineStack, operation: Operation): Promise<unknown> {
  const options = { parallel: PARALLEL };
  if (operation === "preview") return stack.preview(options);
  if (operation === "refresh") return stack.refresh(options);
  if (operation === "destroy") return stack.destroy(options);
  return stack.up(options);
}

/** bench/cannedKeyServer.js in its own process, like the reference server. */
function startCannedKeyServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(repoRoot, "bench", "cannedKeyServer.js")], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve({ url: JSON.parse(chunk.toString()).url, stop: () => child.kill("SIGTERM") }));
    child.once("exit", (code) => reject(new Error(`the canned key server exited with ${code}`)));
  });
}

/**
 * The stack's checkpoint as the file backend wrote it (`.pulumi/stacks/<project>/<stack>.json`):
 * its size, and the bytes of the serialized dynamic providers (`__provider` in inputs and outputs).
 */
function checkpointBytes(stack: EngineStack): { total: number; provider: number } {
  const dir = join(stack.workDir, "state", ".pulumi", "stacks");
  const files: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(path, entry.name));
      else if (entry.name.endsWith(".json")) files.push(join(path, entry.name));
    }
  };
  walk(dir);
  if (files.length !== 1) throw new Error(`expected one checkpoint under ${dir}, found ${files.length}`);
  const state = JSON.parse(readFileSync(files[0], "utf8")) as {
    checkpoint: { latest?: { resources?: Array<{ inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }> } };
  };
  let provider = 0;
  for (const resource of state.checkpoint.latest?.resources ?? []) {
    for (const side of [resource.inputs, resource.outputs]) {
      if (side?.__provider !== undefined) provider += Buffer.byteLength(JSON.stringify(side.__provider));
    }
  }
  return { total: statSync(files[0]).size, provider };
}

export interface ProviderOptions {
  readonly keyCounts: number[];
  readonly repeats: number;
  /** false: PULUMI_SKIP_CHECKPOINTS=true for the engine (no intermediate state writes). */
  readonly checkpoints: boolean;
  readonly log: (text: string) => void;
}

/**
 * `pulumi up`/`preview`/`refresh`/`destroy` of N keys on the real engine, `repeats` times, each
 * operation interleaved with its two floors (ours, floor, canned floor; the next repeat in the
 * reverse order, so neither side always runs first after a busy moment), and the same HTTP calls
 * from a script. A repeat is a whole create-to-destroy cycle, so every operation meets the same state.
 */
export async function measureProviderOverhead(
  options: ProviderOptions,
): Promise<Pick<BenchResults["provider"], "operations" | "checkpointBytes"> & { providerPeakRssMiB: number; serverPeakRssMiB?: number }> {
  const dir = mkdtempSync(join(tmpdir(), "apikeys-bench-"));
  const server = await startServerProcess(`sqlite:${join(dir, "bench.db")}`);
  const canned = await startCannedKeyServer();
  const operations: OperationResult[] = [];
  const checkpoints: BenchResults["provider"]["checkpointBytes"] = [];
  const providerMemory = watchPeakRss(/cmd\/dynamic-provider/);
  if (!options.checkpoints) process.env.PULUMI_SKIP_CHECKPOINTS = "true";
  try {
    const org = await api(server.url, "POST", "/v1/organizations", server.rootToken, { name: "bench" });
    const keysPath = `/v1/organizations/${org.id}/keys`;
    const privileges = [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }];
    for (const n of options.keyCounts) {
      const connection = { endpoint: server.url, organizationId: org.id, token: org.token };
      const tag = options.checkpoints ? "" : "-nocp";
      const stacks: Record<Variant, EngineStack> = {
        ours: await EngineStack.create({ name: `bench-${n}${tag}`, ...connection }),
        floor: await EngineStack.create({ name: `bench-floor-${n}${tag}`, ...connection, program: floorProgram(n) }),
        cannedFloor: await EngineStack.create({
          name: `bench-canned-${n}${tag}`,
          ...connection,
          program: floorProgram(n, true),
          env: { BENCH_CANNED_KEY_URL: canned.url },
        }),
      };
      stacks.ours.keys = Object.fromEntries(Array.from({ length: n }, (_, i) => [`key-${i}`, { description: "benchmark key", privileges }]));
      const samples = new Map<Operation, Record<Variant | "rawHttp", number[]>>(
        OPERATIONS.map((o) => [o, { ours: [], floor: [], cannedFloor: [], rawHttp: [] }]),
      );
      const calls = new Map<Operation, Record<string, number>>();
      for (let repeat = 0; repeat < options.repeats; repeat++) {
        const order: Variant[] = repeat % 2 === 0 ? ["ours", "floor", "cannedFloor"] : ["cannedFloor", "floor", "ours"];
        // Raw HTTP acts on a separate set of keys so it never disturbs the stack's.
        const rawIds: string[] = [];
        const indexes = Array.from({ length: n }, (_, i) => i);
        const rawHttp: Partial<Record<Operation, () => Promise<unknown>>> = {
          "up (create)": () =>
            withConcurrency(indexes, PARALLEL, async (i) => {
              const key = await api(server.url, "POST", keysPath, org.token, { displayName: `raw-${i}`, description: "benchmark key", privileges });
              rawIds.push(key.id);
            }),
          refresh: () => withConcurrency(rawIds, PARALLEL, (id) => api(server.url, "GET", `${keysPath}/${id}`, org.token)),
          destroy: () => withConcurrency(rawIds, PARALLEL, (id) => api(server.url, "DELETE", `${keysPath}/${id}`, org.token)),
        };
        for (const operation of OPERATIONS) {
          const figures = samples.get(operation)!;
          for (const variant of order) {
            if (variant !== "ours") {
              figures[variant].push(await seconds(() => run(stacks[variant], operation)));
              continue;
            }
            await server.logged(); // every earlier request is counted before this one starts
            const before = server.requests.length;
            figures.ours.push(await seconds(() => run(stacks.ours, operation)));
            await server.logged();
            const counted: Record<string, number> = {};
            for (const r of server.requests.slice(before)) counted[r.method] = (counted[r.method] ?? 0) + 1;
            const earlier = calls.get(operation);
            if (earlier && JSON.stringify(earlier) !== JSON.stringify(counted)) {
              throw new Error(`${operation} of ${n} keys made ${JSON.stringify(counted)} API calls, ${JSON.stringify(earlier)} in an earlier repeat`);
            }
            calls.set(operation, counted);
            const raw = rawHttp[operation];
            if (raw) figures.rawHttp.push(await seconds(raw));
          }
          if (operation === "up (create)" && repeat === 0 && options.checkpoints) {
            const [ours, floor, cannedFloor] = [stacks.ours, stacks.floor, stacks.cannedFloor].map(checkpointBytes);
            checkpoints.push({
              keys: n,
              oursBytesPerKey: Math.round(ours.total / n),
              floorBytesPerKey: Math.round(floor.total / n),
              cannedFloorBytesPerKey: Math.round(cannedFloor.total / n),
              oursProviderBytesPerKey: Math.round(ours.provider / n),
              floorProviderBytesPerKey: Math.round(floor.provider / n),
            });
          }
        }
      }
      for (const operation of OPERATIONS) {
        const figures = samples.get(operation)!;
        const counted = calls.get(operation)!;
        operations.push({
          operation,
          keys: n,
          checkpoints: options.checkpoints,
          ours: statOf(figures.ours),
          floor: statOf(figures.floor),
          cannedFloor: statOf(figures.cannedFloor),
          floorRatio: ratioOf(figures.ours, figures.floor),
          cannedFloorRatio: ratioOf(figures.ours, figures.cannedFloor),
          ...(figures.rawHttp.length > 0 ? { rawHttp: statOf(figures.rawHttp) } : {}),
          calls: counted,
          mutatingCalls: Object.entries(counted)
            .filter(([method]) => method !== "GET")
            .reduce((sum, [, count]) => sum + count, 0),
        });
        options.log(formatOperation(operations[operations.length - 1]));
      }
      await Promise.all(Object.values(stacks).map((s) => s.dispose()));
    }
    return { operations, checkpointBytes: checkpoints, providerPeakRssMiB: providerMemory.stop(), serverPeakRssMiB: peakRssMiB(server.pid) };
  } finally {
    delete process.env.PULUMI_SKIP_CHECKPOINTS;
    providerMemory.stop();
    canned.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line of the console table: medians, the ratios' ranges. */
export function formatOperation(o: OperationResult): string {
  const calls =
    Object.entries(o.calls)
      .map(([m, c]) => `${m} ${c}`)
      .join(", ") || "none";
  const range = (s: { min: number; median: number; max: number }) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
  return [
    `${o.operation}${o.checkpoints ? "" : " *"}`.padEnd(17),
    String(o.keys).padStart(4),
    o.ours.median.toFixed(2).padStart(8),
    o.floor.median.toFixed(2).padStart(7),
    range(o.floorRatio).padStart(17),
    o.cannedFloor.median.toFixed(2).padStart(8),
    range(o.cannedFloorRatio).padStart(17),
    (o.rawHttp?.median.toFixed(2) ?? "-").padStart(7),
    ` ${calls}`,
  ].join("  ");
}
