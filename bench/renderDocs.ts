import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { resultsSchema, type BenchResults, type Stat } from "./resultsSchema";

/**
 * docs/performance.md's tables, made from bench/results/latest.json: `npm run bench` runs this at
 * its end (`npx tsx bench/renderDocs.ts`), and test/docs/performanceTables.test.ts fails when the
 * committed document differs from what this makes of the committed results. Each table sits between
 * `<!-- bench:table NAME -->` and `<!-- /bench:table -->`; everything else in the document is prose
 * and stays as written.
 */

export class BenchDocsError extends Error {
  override readonly name = "BenchDocsError";
}

const MARKER = /<!-- bench:table ([a-z-]+) -->\n[\s\S]*?<!-- \/bench:table -->/g;

/** 12345.6 -> "12,346": a fixed format, whatever the machine's locale. */
function grouped(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A figure as its median and range over the repeats: "8.31 (8.02-9.40)". */
function figure(stat: Stat, format: (value: number) => string): string {
  return `${format(stat.median)} (${format(stat.min)}-${format(stat.max)})`;
}
const fixed = (digits: number) => (value: number) => value.toFixed(digits);
const ratio = (stat: Stat) => `${stat.median.toFixed(2)}× (${stat.min.toFixed(2)}-${stat.max.toFixed(2)})`;

/** A cell's text as Markdown shows it: "<bundle.js>" would be read as an HTML tag and vanish, a "|" would end the cell. */
const cell = (text: string) => text.replace(/<(?=[A-Za-z/!])/g, "&lt;").replace(/\|/g, "\\|");

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), `| ${header.map(() => "---").join(" | ")} |`, ...rows.map(line)].join("\n");
}

const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(" / ");

/**
 * Whether other work shared the cores with the bench, from the 1-minute load average. At the start
 * anything above the core count is someone else's; at the end the bench's own processes (engine,
 * provider host, key server) have kept every core busy for the last minute, so only a load above
 * one more than the core count says another process was running too.
 */
function sharedMachine(atStart: readonly number[], atEnd: readonly number[], cpus: number): boolean {
  return atStart[0] > cpus || atEnd[0] > cpus + 1;
}
function machineTable(r: BenchResults): string {
  const m = r.machine;
  const rows = [
    ["recorded", `${r.recordedAt.slice(0, 16).replace("T", " ")} UTC, ${r.seconds} s`],
    ["machine", `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}`],
    ["Node.js", m.node],
    ["load average (1 / 5 / 15 min) at start, at end", `${load(m.loadAverageAtStart)}; ${load(m.loadAverageAtEnd)}`],
    ["repeats of each figure", String(r.repeats)],
    ["kind of run", r.quick ? "**quick (`BENCH_QUICK=1`): reduced sizes, for the mechanism, not the figures**" : "full"],
  ];
  if (sharedMachine(m.loadAverageAtStart, m.loadAverageAtEnd, m.cpus))
    rows.push([
      "note",
      `**recorded on a loaded machine** (load average above ${m.cpus} at the start, or above ${m.cpus + 1} at the end): other work shared the cores; regenerate on a quiet machine`,
    ]);
  return table(["the run", "as recorded"], rows);
}

function hooksTable(r: BenchResults): string {
  const largest = Math.max(...r.provider.keyCounts);
  return table(
    ["figure", "value", "target"],
    [
      [`\`check\` of a key with ${r.hooks.privileges} privileges`, `${figure(r.hooks.checkMicros, String)} µs per call`, "< 1000 µs per key"],
      [`\`diff\` of a key with ${r.hooks.privileges} privileges`, `${figure(r.hooks.diffMicros, String)} µs per call`, "< 1000 µs per key"],
      [`peak RSS of the dynamic-provider host, up to ${largest} keys`, `${r.provider.providerPeakRssMiB} MiB`, "flat in the number of keys"],
      [
        `peak RSS of the key server, up to ${largest} keys`,
        r.provider.serverPeakRssMiB === undefined ? "not measured" : `${r.provider.serverPeakRssMiB} MiB`,
        "",
      ],
    ],
  );
}

function providerTarget(o: BenchResults["provider"]["operations"][number]): string {
  const mutating = `${o.mutatingCalls} mutating`;
  if (o.operation === "preview" || o.operation === "up (no change)") return `0 mutating calls: ${o.mutatingCalls === 0 ? "met" : `**not met** (${mutating})`}`;
  if (o.operation === "up (create)" && o.checkpoints) {
    const posts = o.calls.POST === o.keys && o.mutatingCalls === o.keys ? "1 POST per key: met" : "1 POST per key: **not met**";
    return o.keys >= 500 ? `${posts}; 1.15× the floor: ${o.floorRatio.median <= 1.15 ? "met" : "**not met**"}` : posts;
  }
  if (o.operation === "destroy" && o.checkpoints && o.keys >= 500) return `1.15× the floor: ${o.floorRatio.median <= 1.15 ? "met" : "**not met**"}`;
  // Without checkpoints what is left is the provider's and its key API's own work per key.
  if (o.operation === "up (create)" && !o.checkpoints && o.keys >= 100) {
    const met = (floor: string, ratio: number, limit: number) => `${limit.toFixed(2)}× the ${floor} floor: ${ratio <= limit ? "met" : "**not met**"}`;
    return `${met("no-op", o.floorRatio.median, 1.1)}; ${met("canned", o.cannedFloorRatio.median, 1.05)}`;
  }
  return "";
}

function providerTable(r: BenchResults): string {
  const s = fixed(2);
  return table(
    ["operation", "keys", "ours s", "no-op floor s", "ours / no-op floor", "canned floor s", "ours / canned floor", "raw HTTP s", "API calls", "target"],
    r.provider.operations.map((o) => [
      o.checkpoints ? o.operation : `${o.operation}, no checkpoints`,
      String(o.keys),
      figure(o.ours, s),
      figure(o.floor, s),
      ratio(o.floorRatio),
      figure(o.cannedFloor, s),
      ratio(o.cannedFloorRatio),
      o.rawHttp ? figure(o.rawHttp, s) : "",
      Object.entries(o.calls)
        .map(([method, count]) => `${count} ${method}`)
        .join(", ") || "none",
      providerTarget(o),
    ]),
  );
}

function checkpointTable(r: BenchResults): string {
  return table(
    ["keys", "ours B/key", "of it, serialized provider", "no-op floor B/key", "of it, serialized provider", "canned floor B/key", "ours − no-op floor"],
    r.provider.checkpointBytes.map((c) => [
      String(c.keys),
      grouped(c.oursBytesPerKey),
      grouped(c.oursProviderBytesPerKey),
      grouped(c.floorBytesPerKey),
      grouped(c.floorProviderBytesPerKey),
      grouped(c.cannedFloorBytesPerKey),
      `${grouped(c.oursBytesPerKey - c.floorBytesPerKey)} B (${((c.oursBytesPerKey / c.floorBytesPerKey - 1) * 100).toFixed(0)}%)`,
    ]),
  );
}

function serverTable(r: BenchResults): string {
  const target = (f: BenchResults["server"]["figures"][number]) => {
    if (f.operation === "create" && f.database === "sqlite" && f.replicas === 1)
      return `1,000 req/s: ${f.requestsPerSecond.median >= 1000 ? "met" : "**not met**"}`;
    if (f.operation === "verify" && f.database !== "none (floor)" && f.replicas === 1)
      return `0 queries/request, p99 ≤ 3 ms: ${f.queriesPerRequest === 0 && f.p99Ms.median <= 3 ? "met" : "**not met**"}`;
    return "";
  };
  return table(
    ["database", "replicas", "operation", "req/s", "p50 ms", "p99 ms", "errors", "db queries/req", "server CPU µs/req", "peak RSS MiB", "target"],
    r.server.figures.map((f) => [
      f.database,
      String(f.replicas),
      f.operation,
      figure(f.requestsPerSecond, grouped),
      figure(f.p50Ms, String),
      figure(f.p99Ms, String),
      String(f.errors),
      f.queriesPerRequest === undefined ? "" : String(f.queriesPerRequest),
      f.serverCpuMicrosPerRequest ? figure(f.serverCpuMicrosPerRequest, fixed(1)) : "",
      f.serverPeakRssMiB === undefined ? "" : String(f.serverPeakRssMiB),
      target(f),
    ]),
  );
}

function verifyFloorTable(r: BenchResults): string {
  const v = r.server.verifyRatioToFloor;
  return table(
    ["ratio (verify, warm cache, one SQLite replica)", "median (min-max) over the interleaved pairs", "target"],
    [
      ["req/s, ours / floor", ratio(v), `0.8×: ${v.median >= 0.8 ? "met" : "**not met**"}`],
      ["server CPU per verification, floor / ours", ratio(r.server.verifyCpuRatioToFloor), ""],
    ],
  );
}

function pluginStartupTable(r: BenchResults): string {
  return table(
    ["case", "ms: median (min-max)", "× floor (median)", "target"],
    r.pluginStartup.cases.map((c) => [
      c.case,
      figure(c.ms, String),
      `${c.ratioToFloor.toFixed(2)}×`,
      c.case.includes("(the release)") ? `60 ms: ${c.ms.median <= 60 ? "met" : "**not met**"}` : "",
    ]),
  );
}

/** The series' own run (it may be measured alone, BENCH_ONLY=sizes), then one row per operation and size. */
function sizeSeriesTable(r: BenchResults): string {
  const z = r.sizeSeries;
  const s = fixed(2);
  const single = z.sizes.filter((size) => size.runs === 1).map((size) => grouped(size.keys));
  const checkpointRuns = z.sizes.flatMap((size) => size.operations.flatMap((o) => (o.withCheckpoints ? [o.withCheckpoints.runs] : [])));
  const runs = [
    `${z.repeats} runs of each operation on each variant, interleaved`,
    single.length > 0 ? `a single run at ${single.join(", ")} keys (a full cycle there takes minutes)` : "",
    checkpointRuns.length > 0 ? `${Math.min(...checkpointRuns) === 1 ? "a single run" : `${Math.min(...checkpointRuns)} runs`} with checkpoints` : "",
  ].filter(Boolean);
  const first = z.sizes[0];
  const last = z.sizes[z.sizes.length - 1];
  const drift = first.operations
    .map((o, i) => `${o.operation} ${o.floorRatio.median.toFixed(2)}× → ${last.operations[i].floorRatio.median.toFixed(2)}×`)
    .join(", ");
  const note = [
    `Recorded ${z.recordedAt.slice(0, 16).replace("T", " ")} UTC in ${z.seconds} s, load average ${load(z.loadAverageAtStart)} at the start, ${load(z.loadAverageAtEnd)} at the end${z.quick ? "; **quick (`BENCH_QUICK=1`): reduced sizes, for the mechanism, not the figures**" : ""}.`,
    // As in the machine table: a load average above the core count means other work shared the cores.
    sharedMachine(z.loadAverageAtStart, z.loadAverageAtEnd, r.machine.cpus)
      ? `**Recorded on a loaded machine** (load average above ${r.machine.cpus} at the start, or above ${r.machine.cpus + 1} at the end).`
      : "",
    `${runs.join("; ")}. Ours / no-op floor from ${grouped(first.keys)} to ${grouped(last.keys)} keys: ${drift}.`,
  ].join(" ");
  // The cost of each key added since the previous size, ours against the no-op floor: the slope,
  // free of the fixed start-up both pay once per operation.
  const added = (index: number, o: (typeof first.operations)[number]) => {
    const before = z.sizes[index - 1]?.operations.find((p) => p.operation === o.operation);
    if (!before) return "";
    const keys = z.sizes[index].keys - z.sizes[index - 1].keys;
    const ours = ((o.ours.median - before.ours.median) * 1000) / keys;
    const floor = ((o.floor.median - before.floor.median) * 1000) / keys;
    return `${ours.toFixed(1)} / ${floor.toFixed(1)} (${(ours / floor).toFixed(2)}×)`;
  };
  const rows = z.sizes.flatMap((size, index) =>
    size.operations.flatMap((o) => {
      const row = [
        o.operation,
        grouped(size.keys),
        String(size.runs),
        figure(o.ours, s),
        fixed(1)((o.ours.median * 1000) / size.keys),
        figure(o.floor, s),
        ratio(o.floorRatio),
        figure(o.cannedFloor, s),
        ratio(o.cannedFloorRatio),
        added(index, o),
        "",
      ];
      const c = o.withCheckpoints;
      if (!c) return [row];
      return [
        row,
        [
          `${o.operation}, with checkpoints`,
          grouped(size.keys),
          String(c.runs),
          figure(c.ours, s),
          fixed(1)((c.ours.median * 1000) / size.keys),
          figure(c.floor, s),
          ratio(c.floorRatio),
          "",
          "",
          "",
          `${(c.ours.median / o.ours.median).toFixed(2)}×; ${(c.floor.median / o.floor.median).toFixed(2)}×`,
        ],
      ];
    }),
  );
  return `${note}\n\n${table(
    [
      "operation",
      "keys",
      "runs",
      "ours s",
      "ours ms/key",
      "no-op floor s",
      "ours / no-op floor",
      "canned floor s",
      "ours / canned floor",
      "ms per key added since the previous size: ours / no-op floor",
      "with / without checkpoints: ours; no-op floor",
    ],
    rows,
  )}`;
}

/** Peak RSS at each size of the series. */
function sizeMemoryTable(r: BenchResults): string {
  return table(
    [
      "keys",
      "provider host: ours",
      "no-op floor",
      "canned floor",
      "engine (`pulumi`): ours",
      "no-op floor",
      "ours with checkpoints",
      "key server",
      "canned key server",
    ],
    r.sizeSeries.sizes.map((size) => {
      const m = size.peakRssMiB;
      return [
        grouped(size.keys),
        ...[m.oursProvider, m.floorProvider, m.cannedFloorProvider, m.oursEngine, m.floorEngine].map((v) => `${v} MiB`),
        m.oursEngineWithCheckpoints === undefined ? "" : `${m.oursEngineWithCheckpoints} MiB`,
        `${m.server} MiB`,
        `${m.cannedServer} MiB`,
      ];
    }),
  );
}

/** CPU per key of each process at each size of the series: where an operation's time goes. */
function sizeCpuTable(r: BenchResults): string {
  const ms = (value: number) => value.toFixed(2);
  const rows = r.sizeSeries.sizes.flatMap((size) =>
    size.operations.flatMap((o) => {
      const c = o.cpuMsPerKey;
      if (!c) return [];
      const total = (p: typeof c.ours) => p.provider + p.engine + p.program + p.server;
      return [
        [
          o.operation,
          grouped(size.keys),
          `${ms(c.ours.provider)} / ${ms(c.floor.provider)} / ${ms(c.cannedFloor.provider)}`,
          `${ms(c.ours.engine)} / ${ms(c.floor.engine)} / ${ms(c.cannedFloor.engine)}`,
          `${ms(c.ours.program)} / ${ms(c.floor.program)} / ${ms(c.cannedFloor.program)}`,
          `${ms(c.ours.server)} / ${ms(c.cannedFloor.server)}`,
          `${ms(total(c.ours))} / ${ms(total(c.floor))} / ${ms(total(c.cannedFloor))}`,
        ],
      ];
    }),
  );
  if (rows.length === 0) return "CPU per process was not measured in the recorded run (it predates that figure).";
  return table(
    [
      "operation",
      "keys",
      "provider host: ours / no-op / canned",
      "engine: ours / no-op / canned",
      "program: ours / no-op / canned",
      "key server: ours / canned",
      "all: ours / no-op / canned",
    ],
    rows,
  );
}

/** Every table the document may hold, by the name in its marker. */
export const tables: Record<string, (r: BenchResults) => string> = {
  machine: machineTable,
  hooks: hooksTable,
  provider: providerTable,
  checkpoints: checkpointTable,
  server: serverTable,
  "verify-floor": verifyFloorTable,
  "plugin-startup": pluginStartupTable,
  "size-series": sizeSeriesTable,
  "size-memory": sizeMemoryTable,
  "size-cpu": sizeCpuTable,
};

/** The document with every marked table replaced by what `results` make; every table must be marked once. */
export function renderDocument(markdown: string, results: BenchResults): string {
  const seen = new Set<string>();
  const rendered = markdown.replace(MARKER, (_block, name: string) => {
    const make = tables[name];
    if (!make) throw new BenchDocsError(`docs/performance.md: no table named "${name}" (known: ${Object.keys(tables).join(", ")})`);
    if (seen.has(name)) throw new BenchDocsError(`docs/performance.md: the table "${name}" is marked twice; keep one marker pair`);
    seen.add(name);
    return `<!-- bench:table ${name} -->\n${make(results)}\n<!-- /bench:table -->`;
  });
  const missing = Object.keys(tables).filter((name) => !seen.has(name));
  if (missing.length > 0) {
    throw new BenchDocsError(
      `docs/performance.md: no marker for ${missing.join(", ")}; add "<!-- bench:table NAME -->" and "<!-- /bench:table -->" lines where each belongs`,
    );
  }
  return rendered;
}

/** bench/results/latest.json, checked against its schema. */
export function readResults(file: string): BenchResults {
  const parsed = resultsSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    throw new BenchDocsError(
      `${relative(join(__dirname, ".."), file)} does not have the shape of bench/resultsSchema.ts (${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}); run \`npm run bench\` again`,
    );
  }
  return parsed.data;
}

export const resultsFile = join(__dirname, "results", "latest.json");
export const documentFile = join(__dirname, "..", "docs", "performance.md");

if (require.main === module) {
  const before = readFileSync(documentFile, "utf8");
  const after = renderDocument(before, readResults(resultsFile));
  writeFileSync(documentFile, after);
  process.stdout.write(`docs/performance.md: tables ${before === after ? "already current" : "regenerated"} from bench/results/latest.json\n`);
}
