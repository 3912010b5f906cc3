import { z } from "zod";

/**
 * The shape of bench/results/latest.json, written by `npm run bench` (bench/index.ts) and read by
 * bench/renderDocs.ts, which makes docs/performance.md's tables from it. Every measured figure is a
 * `Stat` over its repeats (each repeat interleaved with its floor), every ratio a `Stat` over the
 * per-repeat ratios of the same pairs. Bump `schemaVersion` when a field changes meaning.
 */
export const statSchema = z.object({
  min: z.number(),
  median: z.number(),
  max: z.number(),
  /** Every repeat's value, in the order measured. */
  samples: z.array(z.number()).min(1),
});
export type Stat = z.infer<typeof statSchema>;

/** Min, median and max of the samples (the median of an even count is the mean of the middle two). */
export function statOf(samples: readonly number[], digits = 3): Stat {
  if (samples.length === 0) throw new Error("statOf: no samples (a figure was measured zero times)");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const round = (value: number) => Number(value.toFixed(digits));
  return { min: round(sorted[0]), median: round(median), max: round(sorted[sorted.length - 1]), samples: samples.map(round) };
}

/** The ratio a/b of each repeat's pair (a from repeat i against b from repeat i). */
export function ratioOf(a: readonly number[], b: readonly number[]): Stat {
  if (a.length !== b.length) throw new Error(`ratioOf: ${a.length} samples against ${b.length}`);
  return statOf(
    a.map((value, i) => value / b[i]),
    3,
  );
}

const machineSchema = z.object({
  node: z.string(),
  platform: z.string(),
  cpus: z.number().int(),
  cpuModel: z.string(),
  memoryGiB: z.number(),
  /** os.loadavg() (1, 5, 15 minutes) when the run started and when it ended: other work on the machine shows here. */
  loadAverageAtStart: z.tuple([z.number(), z.number(), z.number()]),
  loadAverageAtEnd: z.tuple([z.number(), z.number(), z.number()]),
});

const operationSchema = z.object({
  operation: z.enum(["up (create)", "up (no change)", "preview", "refresh", "destroy"]),
  keys: z.number().int(),
  /** false: run with PULUMI_SKIP_CHECKPOINTS=true (no intermediate state writes by the file backend). */
  checkpoints: z.boolean(),
  /** Seconds of the operation on N ApiKeys. */
  ours: statSchema,
  /** Seconds of the same operation on N keys of ApiKey's shape through a no-op dynamic provider. */
  floor: statSchema,
  /** Seconds of the same on the canned floor: the no-op provider plus one loopback HTTP round trip per API call. */
  cannedFloor: statSchema,
  floorRatio: statSchema,
  cannedFloorRatio: statSchema,
  /** The same HTTP calls straight from a script at the same concurrency; absent where the operation makes none. */
  rawHttp: statSchema.optional(),
  /** HTTP requests of one run of the operation on ApiKeys, by method (the same in every repeat, or the bench fails). */
  calls: z.record(z.string(), z.number().int()),
  mutatingCalls: z.number().int(),
});
export type OperationResult = z.infer<typeof operationSchema>;

const checkpointSchema = z.object({
  keys: z.number().int(),
  /** Bytes of the stack's state file on disk after `up` of N keys, divided by N, for each variant. */
  oursBytesPerKey: z.number(),
  floorBytesPerKey: z.number(),
  cannedFloorBytesPerKey: z.number(),
  /** Of those, the bytes of each resource's serialized dynamic provider (`__provider`, in inputs and outputs). */
  oursProviderBytesPerKey: z.number(),
  floorProviderBytesPerKey: z.number(),
});

const throughputSchema = z.object({
  database: z.enum(["sqlite", "postgres", "none (floor)"]),
  replicas: z.number().int(),
  operation: z.enum(["verify", "create"]),
  requestsPerSecond: statSchema,
  p50Ms: statSchema,
  p99Ms: statSchema,
  /** Errors and non-2xx answers over all repeats. */
  errors: z.number().int(),
  /** Database statements per verification with a warm cache, over all repeats (the target is 0). */
  queriesPerRequest: z.number().optional(),
  /** The server's own CPU time (user + system) per request, µs: what the load generator beside it cannot bend. */
  serverCpuMicrosPerRequest: statSchema.optional(),
  serverPeakRssMiB: z.number().optional(),
});

const startupSchema = z.object({
  case: z.string(),
  /** Milliseconds from spawn to the port on stdout, over every run. */
  ms: statSchema,
  /** This case's median against the first case's (the floor, `node -e` printing a port). */
  ratioToFloor: z.number(),
});

/** CPU milliseconds per key one operation cost each process (user + system, from /proc), the median over the runs. */
const processCpuSchema = z.object({
  /** The dynamic-provider host. */
  provider: z.number(),
  /** The engine (`pulumi`). */
  engine: z.number(),
  /** The program, run inline in the bench's own process (the Automation API's language host), the sampling included. */
  program: z.number(),
  /** The key API: the reference server for ours, the canned server for the canned floor, 0 for the no-op floor (none). */
  server: z.number(),
});

const sizeOperationSchema = z.object({
  operation: z.enum(["up (create)", "preview", "destroy"]),
  /** Where the time goes; absent in results recorded before it was measured. */
  cpuMsPerKey: z.object({ ours: processCpuSchema, floor: processCpuSchema, cannedFloor: processCpuSchema }).optional(),
  /** Seconds on N ApiKeys, on the no-op floor and on the canned floor, all without checkpoints. */
  ours: statSchema,
  floor: statSchema,
  cannedFloor: statSchema,
  floorRatio: statSchema,
  cannedFloorRatio: statSchema,
  /** At the series' checkpoint size only: ours and the no-op floor with the file backend's checkpoints. */
  withCheckpoints: z
    .object({
      /** Fewer than the size's runs where the quadratic rewrite makes a run too long to repeat. */
      runs: z.number().int().min(1),
      ours: statSchema,
      floor: statSchema,
      floorRatio: statSchema,
    })
    .optional(),
});

const sizeSchema = z.object({
  keys: z.number().int(),
  /** Runs of each operation on each variant at this size (1 from bench/sizeSeries.ts's SINGLE_RUN_FROM_KEYS). */
  runs: z.number().int().min(1),
  operations: z.array(sizeOperationSchema),
  /** Peak RSS (VmHWM) at this size, MiB: the dynamic-provider host and the engine (`pulumi`) over every operation of a variant, a fresh server per size. */
  peakRssMiB: z.object({
    oursProvider: z.number(),
    floorProvider: z.number(),
    cannedFloorProvider: z.number(),
    oursEngine: z.number(),
    floorEngine: z.number(),
    oursEngineWithCheckpoints: z.number().optional(),
    server: z.number(),
    cannedServer: z.number(),
  }),
});
export type SizeSeriesSize = z.infer<typeof sizeSchema>;

/**
 * How cost grows with the number of keys (bench/sizeSeries.ts). Its own time and load average:
 * `BENCH_ONLY=sizes` measures it alone and merges it into an existing latest.json.
 */
const sizeSeriesSchema = z.object({
  recordedAt: z.string(),
  quick: z.boolean(),
  seconds: z.number(),
  loadAverageAtStart: z.tuple([z.number(), z.number(), z.number()]),
  loadAverageAtEnd: z.tuple([z.number(), z.number(), z.number()]),
  parallel: z.number().int(),
  repeats: z.number().int().min(1),
  checkpointSize: z.number().int(),
  sizes: z.array(sizeSchema).min(1),
});
export type SizeSeriesResult = z.infer<typeof sizeSeriesSchema>;

export const resultsSchema = z.object({
  schemaVersion: z.literal(1),
  recordedAt: z.string(),
  /** True for a BENCH_QUICK=1 run (fewer keys, shorter loads): proves the mechanism, not the figures. */
  quick: z.boolean(),
  repeats: z.number().int().min(1),
  seconds: z.number(),
  machine: machineSchema,
  hooks: z.object({ privileges: z.number().int(), checkMicros: statSchema, diffMicros: statSchema }),
  provider: z.object({
    parallel: z.number().int(),
    keyCounts: z.array(z.number().int()),
    operations: z.array(operationSchema),
    checkpointBytes: z.array(checkpointSchema),
    providerPeakRssMiB: z.number(),
    serverPeakRssMiB: z.number().optional(),
  }),
  server: z.object({
    loadSeconds: z.number(),
    connections: z.number().int(),
    figures: z.array(throughputSchema),
    /** verify req/s of one SQLite replica against the floor's, per interleaved pair. */
    verifyRatioToFloor: statSchema,
    /** The floor's server CPU per verification against ours (1 = as efficient as the floor). */
    verifyCpuRatioToFloor: statSchema,
  }),
  pluginStartup: z.object({ runs: z.number().int(), cases: z.array(startupSchema) }),
  sizeSeries: sizeSeriesSchema,
});
export type BenchResults = z.infer<typeof resultsSchema>;
