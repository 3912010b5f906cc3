import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { freshDatabaseUrl } from "../test/helpers/testServer";
import { ratioOf, statOf, type BenchResults } from "./resultsSchema";
import { api, peakRssMiB, repoRoot, startServerProcess, type ServerProcess } from "./serverProcess";

/** One load run's figures. */
interface LoadFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /**
   * The servers' own CPU time (user + system, from /proc) per request, in µs: what a request costs
   * the server whatever the load generator beside it on the same cores manages to send.
   */
  readonly serverCpuMicrosPerRequest?: number;
  readonly requests: number;
}

export type ThroughputFigures = BenchResults["server"]["figures"][number];

export const CONNECTIONS = 32;
/** Seconds of each load run: 5, or 1 for a quick run (BENCH_QUICK=1). */
export const loadSeconds = () => (process.env.BENCH_QUICK === "1" ? 1 : 5);

/** CPU time a process has used so far (user + system), in ms; undefined where /proc is not there. */
function cpuMillis(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

async function load(
  urls: string[],
  request: { method: "GET" | "POST"; path: string; headers: Record<string, string>; body?: string },
  serverPids: number[] = [],
): Promise<LoadFigures> {
  const cpuBefore = serverPids.map(cpuMillis);
  // One autocannon per replica, at once; connections split between them.
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url: `${url}${request.path}`,
        method: request.method,
        headers: request.headers,
        body: request.body,
        connections: CONNECTIONS / urls.length,
        duration: loadSeconds(),
      }),
    ),
  );
  const cpuUsed = serverPids.reduce((sum, pid, i) => sum + ((cpuMillis(pid) ?? NaN) - (cpuBefore[i] ?? NaN)), 0);
  const total = results.reduce((n, r) => n + r.requests.total, 0);
  return {
    ...(serverPids.length > 0 && Number.isFinite(cpuUsed) ? { serverCpuMicrosPerRequest: Math.round((cpuUsed * 10_000) / total) / 10 } : {}),
    requestsPerSecond: Math.round(results.reduce((n, r) => n + r.requests.average, 0)),
    p50Ms: Math.max(...results.map((r) => r.latency.p50)),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
    requests: total,
  };
}

async function freshDatabase(kind: "sqlite" | "postgres"): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === "postgres" && !process.env.APIKEYS_TEST_POSTGRES_URL) {
    process.env.APIKEYS_TEST_POSTGRES_URL = execFileSync("bash", [join(repoRoot, "scripts/ensure-postgres.sh")], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  }
  return freshDatabaseUrl(kind);
}

/** bench/verifyFloorServer.js, knowing one secret: a bare node:http server doing a verification's work. */
function startVerifyFloor(secret: string): Promise<{ url: string; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, [join(repoRoot, "bench", "verifyFloorServer.js"), secret], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout!.once("data", (chunk: Buffer) => resolve({ url: JSON.parse(chunk.toString()).url, pid: child.pid!, stop: () => child.kill("SIGTERM") }));
    child.once("exit", (code) => reject(new Error(`the verify floor exited with ${code}`)));
  });
}

/** The figures of `repeats` load runs of one kind: each a Stat over the runs. */
function summarize(runs: LoadFigures[]) {
  const cpu = runs.map((r) => r.serverCpuMicrosPerRequest).filter((v): v is number => v !== undefined);
  return {
    requestsPerSecond: statOf(
      runs.map((r) => r.requestsPerSecond),
      0,
    ),
    p50Ms: statOf(runs.map((r) => r.p50Ms)),
    p99Ms: statOf(runs.map((r) => r.p99Ms)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    ...(cpu.length === runs.length ? { serverCpuMicrosPerRequest: statOf(cpu, 1) } : {}),
  };
}

/**
 * Verify and create throughput over loopback, SQLite and PostgreSQL, one and two replicas, each
 * `repeats` times; and the verify floor (Node itself doing the same work), loaded interleaved with
 * one SQLite replica (ours, floor, ours, floor, ...) so each ratio compares runs side by side.
 */
export async function measureServerThroughput(repeats: number): Promise<Omit<BenchResults["server"], "loadSeconds" | "connections">> {
  const figures: ThroughputFigures[] = [];
  let verifyRatioToFloor: ReturnType<typeof ratioOf> | undefined;
  let verifyCpuRatioToFloor: ReturnType<typeof ratioOf> | undefined;
  for (const database of ["sqlite", "postgres"] as const) {
    for (const replicas of [1, 2]) {
      const db = await freshDatabase(database);
      const servers: ServerProcess[] = [];
      try {
        // Their logs are dropped, not read: the load generator's CPU goes to the load (the floor logs nothing either).
        servers.push(await startServerProcess(db.url, {}, { collectRequests: false }));
        if (replicas === 2) servers.push(await startServerProcess(db.url, { APIKEYS_ROOT_TOKEN: servers[0].rootToken }, { collectRequests: false }));
        const root = servers[0];
        const org = await api(root.url, "POST", "/v1/organizations", root.rootToken, { name: "bench" });
        const key = await api(root.url, "POST", `/v1/organizations/${org.id}/keys`, org.token, {
          displayName: "hot key",
          privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
        });
        const urls = servers.map((s) => s.url);
        const pids = servers.map((s) => s.pid);
        const verify = { method: "GET" as const, path: "/v1/whoami", headers: { authorization: `Api-Key ${key.secret}` } };
        await load(urls, verify); // warm the caches and the JIT
        const queries = async () =>
          (await Promise.all(servers.map((s) => api<{ databaseQueries: number }>(s.url, "GET", "/v1/metrics", root.rootToken)))).reduce(
            (n, m) => n + m.databaseQueries,
            0,
          );
        const withFloor = database === "sqlite" && replicas === 1;
        const floor = withFloor ? await startVerifyFloor(key.secret) : undefined;
        try {
          if (floor) await load([floor.url], verify); // warm-up, as for ours
          const ours: LoadFigures[] = [];
          const floors: LoadFigures[] = [];
          let queryCount = 0;
          for (let repeat = 0; repeat < repeats; repeat++) {
            // Alternate which goes first: a busy moment on the machine hits both alike over the repeats.
            const runOurs = async () => {
              const before = await queries();
              ours.push(await load(urls, verify, pids));
              queryCount += (await queries()) - before;
            };
            const runFloor = async () => {
              if (floor) floors.push(await load([floor.url], verify, [floor.pid]));
            };
            if (repeat % 2 === 0) await runOurs().then(runFloor);
            else await runFloor().then(runOurs);
          }
          const totalRequests = ours.reduce((n, r) => n + r.requests, 0);
          figures.push({
            database,
            replicas,
            operation: "verify",
            ...summarize(ours),
            queriesPerRequest: Math.round((queryCount / totalRequests) * 1000) / 1000,
          });
          if (floor) {
            figures.push({ database: "none (floor)", replicas: 1, operation: "verify", ...summarize(floors) });
            verifyRatioToFloor = ratioOf(
              ours.map((r) => r.requestsPerSecond),
              floors.map((r) => r.requestsPerSecond),
            );
            verifyCpuRatioToFloor = ratioOf(
              floors.map((r) => r.serverCpuMicrosPerRequest ?? NaN),
              ours.map((r) => r.serverCpuMicrosPerRequest ?? NaN),
            );
          }
        } finally {
          floor?.stop();
        }
        const create = {
          method: "POST" as const,
          path: `/v1/organizations/${org.id}/keys`,
          headers: { authorization: `Bearer ${org.token}`, "content-type": "application/json" },
          body: JSON.stringify({ displayName: "load", privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }] }),
        };
        const created: LoadFigures[] = [];
        for (let repeat = 0; repeat < repeats; repeat++) created.push(await load(urls, create, pids));
        figures.push({
          database,
          replicas,
          operation: "create",
          ...summarize(created),
          serverPeakRssMiB: Math.max(...servers.map((s) => peakRssMiB(s.pid) ?? 0)),
        });
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
        await db.drop();
      }
    }
  }
  if (!verifyRatioToFloor || !verifyCpuRatioToFloor) throw new Error("the verify floor was not measured");
  return { figures, verifyRatioToFloor, verifyCpuRatioToFloor };
}
