import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { measureHookCost } from "./hookCost";
import { measurePluginStartup } from "./pluginStartup";
import { measureProviderOverhead, PARALLEL } from "./providerOverhead";
import { resultsSchema, statOf, type BenchResults } from "./resultsSchema";
import { CONNECTIONS, loadSeconds, measureServerThroughput } from "./serverThroughput";
import { measureSizeSeries, seriesSizes } from "./sizeSeries";

/**
 * `npm run bench`: every figure in one run, each measured `BENCH_REPEATS` times (at least 3)
 * interleaved with its floor, printed, and written to bench/results/latest.json in the shape of
 * bench/resultsSchema.ts; scripts/bench.sh then regenerates docs/performance.md's tables from it
 * (bench/renderDocs.ts).
 *
 * BENCH_QUICK=1: a quick run that proves the mechanism (10 keys, 1-second loads, 5 start-up runs,
 * 3 repeats); its file says `quick: true` and the docs say so. BENCH_KEYS=10,100 and
 * BENCH_REPEATS=5 override the key counts and repeats. BENCH_ONLY=server measures the key server
 * alone (for work on verify and create) into bench/results/latest-server.json, never latest.json.
 * BENCH_ONLY=sizes measures how cost grows with the stack (bench/sizeSeries.ts; BENCH_SIZES=100,500,2000
 * by default, 20,50,100 quick) and replaces that section of an existing latest.json, which carries
 * its own time and load average.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const loadAverageAtStart = loadavg().map((l) => Math.round(l * 100) / 100) as [number, number, number];
  const quick = process.env.BENCH_QUICK === "1";
  const keyCounts = (process.env.BENCH_KEYS ?? (quick ? "10" : "10,100,500")).split(",").map(Number);
  const repeats = Number(process.env.BENCH_REPEATS ?? 3);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`BENCH_REPEATS must be a whole number of at least 1, got ${process.env.BENCH_REPEATS}`);
  if (keyCounts.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`BENCH_KEYS must be whole numbers separated by commas, got ${process.env.BENCH_KEYS}`);
  const only = process.env.BENCH_ONLY;
  const log = (text: string) => process.stdout.write(`${text}\n`);
  log(`repeats: ${repeats}${quick ? " (BENCH_QUICK=1: reduced sizes, figures for the mechanism only)" : ""}, load average ${loadAverageAtStart.join(" ")}`);

  const server = async () => {
    log(`\n== server over loopback (autocannon, ${CONNECTIONS} connections, ${loadSeconds()} s, ${repeats} runs each) ==`);
    const measured = await measureServerThroughput(repeats);
    log("database      replicas  operation  req/s median (min-max)    p99 ms  errors  db queries/req  server CPU µs/req");
    for (const f of measured.figures) {
      const rps = `${f.requestsPerSecond.median} (${f.requestsPerSecond.min}-${f.requestsPerSecond.max})`;
      log(
        `${f.database.padEnd(13)} ${String(f.replicas).padStart(8)}  ${f.operation.padEnd(9)}  ${rps.padEnd(24)} ${String(f.p99Ms.median).padStart(6)}  ${String(f.errors).padStart(6)}  ${String(f.queriesPerRequest ?? "-").padStart(14)}  ${f.serverCpuMicrosPerRequest?.median ?? "-"}`,
      );
    }
    const r = measured.verifyRatioToFloor;
    const c = measured.verifyCpuRatioToFloor;
    log(
      `verify, one SQLite replica, against the floor (bench/verifyFloorServer.js): ${r.median}x (${r.min}-${r.max}); server CPU efficiency ${c.median}x (${c.min}-${c.max})`,
    );
    return { loadSeconds: loadSeconds(), connections: CONNECTIONS, ...measured };
  };

  if (only === "server") {
    const figures = await server();
    writeFileSync(
      join(__dirname, "results", "latest-server.json"),
      `${JSON.stringify({ recordedAt: new Date().toISOString(), repeats, server: figures }, null, 2)}\n`,
    );
    log("\nwritten bench/results/latest-server.json (a partial run never overwrites latest.json)");
    return;
  }
  const sizeSeries = () => measureSizeSeries({ ...seriesSizes(quick), repeats, quick, log });
  if (only === "sizes") {
    const file = join(__dirname, "results", "latest.json");
    // The other sections stay as recorded; the series is checked against the schema with them.
    const others = resultsSchema.omit({ sizeSeries: true }).parse(JSON.parse(readFileSync(file, "utf8")));
    const merged = resultsSchema.parse({ ...others, sizeSeries: await sizeSeries() });
    writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
    log("\nwritten the size series into bench/results/latest.json (its other sections unchanged)");
    return;
  }
  if (only) throw new Error(`BENCH_ONLY=${only}: only "server" and "sizes" are known`);

  log("\n== hook cost (50 privileges) ==");
  const hookRuns = [];
  for (let i = 0; i < repeats; i++) hookRuns.push(await measureHookCost());
  const hooks = {
    privileges: hookRuns[0].privileges,
    checkMicros: statOf(
      hookRuns.map((h) => h.checkMicros),
      0,
    ),
    diffMicros: statOf(
      hookRuns.map((h) => h.diffMicros),
      0,
    ),
  };
  log(`check ${hooks.checkMicros.median} µs/call, diff ${hooks.diffMicros.median} µs/call (medians)   target: provider time per key < 1000 µs`);

  const provider = await providerFigures(keyCounts, repeats, log);
  const serverFigures = await server();
  const pluginStartup = await measurePluginStartup(quick ? 5 : 15, log);
  const sizes = await sizeSeries();

  const results: BenchResults = resultsSchema.parse({
    schemaVersion: 1,
    recordedAt: new Date().toISOString(),
    quick,
    repeats,
    seconds: Math.round((Date.now() - started) / 1000),
    machine: {
      node: process.version,
      platform: `${platform()} ${release()}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
    },
    hooks,
    provider,
    server: serverFigures,
    pluginStartup,
    sizeSeries: sizes,
  });
  writeFileSync(join(__dirname, "results", "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwritten bench/results/latest.json in ${results.seconds} s`);
}

/** `up`, `preview`, `refresh` and `destroy` of N keys on the real engine, against both floors. */
async function providerFigures(keyCounts: number[], repeats: number, log: (text: string) => void): Promise<BenchResults["provider"]> {
  log(`\n== provider on the real engine (parallel ${PARALLEL}, SQLite server), keys: ${keyCounts.join(", ")}, ${repeats} repeats ==`);
  log("operation          keys  ours s  floor s  x floor (min-max)  canned s  x canned (min-max)  raw HTTP s  API calls");
  const withCheckpoints = await measureProviderOverhead({ keyCounts, repeats, checkpoints: true, log });
  // The file backend rewrites the whole state after every step (O(N²) for N keys); the engine's
  // PULUMI_SKIP_CHECKPOINTS shows what is left without that, i.e. what the provider and engine cost.
  // Without checkpoints for the stack sizes issue 16 names (100 and 500; the largest when none is that big).
  const sized = keyCounts.filter((n) => n >= 100);
  const withoutCheckpoints = await measureProviderOverhead({
    keyCounts: sized.length > 0 ? sized : [Math.max(...keyCounts)],
    repeats,
    checkpoints: false,
    log,
  });
  log("floor: the same operation on resources of ApiKey's shape through a no-op dynamic provider (bench/engineFloor.ts)");
  log("canned: the same no-op provider plus one loopback HTTP round trip per API call to bench/cannedKeyServer.js");
  log("* with PULUMI_SKIP_CHECKPOINTS=true (no intermediate state writes by the file backend)");
  log("\ncheckpoint bytes per key after up (create): ours (serialized provider) / floor (serialized provider) / canned floor");
  for (const c of withCheckpoints.checkpointBytes) {
    log(
      `${String(c.keys).padStart(4)} keys: ${c.oursBytesPerKey} (${c.oursProviderBytesPerKey}) / ${c.floorBytesPerKey} (${c.floorProviderBytesPerKey}) / ${c.cannedFloorBytesPerKey}: ours +${c.oursBytesPerKey - c.floorBytesPerKey} B per key`,
    );
  }
  log("targets: preview and no-change up make 0 mutating calls; create makes 1 POST per key; up and destroy of 500 within 1.15x the floor");
  const providerPeakRssMiB = Math.max(withCheckpoints.providerPeakRssMiB, withoutCheckpoints.providerPeakRssMiB);
  const serverPeakRssMiB = withCheckpoints.serverPeakRssMiB;
  log(`peak RSS: provider process ${providerPeakRssMiB} MiB, server ${serverPeakRssMiB} MiB`);
  return {
    parallel: PARALLEL,
    keyCounts,
    operations: [...withCheckpoints.operations, ...withoutCheckpoints.operations],
    checkpointBytes: withCheckpoints.checkpointBytes,
    providerPeakRssMiB,
    ...(serverPeakRssMiB === undefined ? {} : { serverPeakRssMiB }),
  };
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
