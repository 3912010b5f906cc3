import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import autocannon from "autocannon";
import { freshDatabaseUrl } from "../test/helpers/testServer";
import { api, peakRssMiB, repoRoot, startServerProcess, type ServerProcess } from "./serverProcess";

export interface ThroughputFigures {
  readonly database: "sqlite" | "postgres" | "none (floor)";
  readonly replicas: number;
  readonly operation: "verify" | "create";
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Database statements per verify while the cache is warm (the target is 0). */
  readonly queriesPerRequest?: number;
  readonly serverPeakRssMiB?: number;
  /**
   * The servers' own CPU time (user + system, from /proc) per request, in µs: what a request costs
   * the server whatever the load generator beside it on the same cores manages to send.
   */
  readonly serverCpuMicrosPerRequest?: number;
}

const DURATION_SECONDS = 5;
const CONNECTIONS = 32;

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
) {
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
        duration: DURATION_SECONDS,
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

/**
 * Verify and create throughput over loopback, SQLite and PostgreSQL, one and two replicas; and the
 * verify floor (Node itself doing the same work), loaded alternately with one SQLite replica in the
 * same run so the ratio compares like with like.
 */
export async function measureServerThroughput(): Promise<ThroughputFigures[]> {
  const figures: ThroughputFigures[] = [];
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
        const verify = { method: "GET" as const, path: "/v1/whoami", headers: { authorization: `Api-Key ${key.secret}` } };
        await load(urls, verify); // warm the caches and the JIT
        const queriesBefore = await Promise.all(servers.map((s) => api<{ databaseQueries: number }>(s.url, "GET", "/v1/metrics", root.rootToken)));
        const pids = servers.map((s) => s.pid);
        const verified = await load(urls, verify, pids);
        const queriesAfter = await Promise.all(servers.map((s) => api<{ databaseQueries: number }>(s.url, "GET", "/v1/metrics", root.rootToken)));
        const queries = queriesAfter.reduce((n, m, i) => n + m.databaseQueries - queriesBefore[i].databaseQueries, 0);
        figures.push({
          database,
          replicas,
          operation: "verify",
          ...verified,
          queriesPerRequest: Math.round((queries / (verified.requestsPerSecond * DURATION_SECONDS)) * 1000) / 1000,
        });
        if (database === "sqlite" && replicas === 1) {
          const floor = await startVerifyFloor(key.secret);
          try {
            await load([floor.url], verify); // warm-up, as for ours
            // Alternate, and keep each side's better run: a busy moment hits both alike.
            const runs = { ours: [verified], floor: [await load([floor.url], verify, [floor.pid])] };
            runs.ours.push(await load(urls, verify, pids));
            runs.floor.push(await load([floor.url], verify, [floor.pid]));
            const best = (list: typeof runs.ours) => list.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
            figures.push({ database: "none (floor)", replicas: 1, operation: "verify", ...best(runs.floor) });
            figures[figures.length - 2] = { ...figures[figures.length - 2], ...best(runs.ours) };
          } finally {
            floor.stop();
          }
        }
        const created = await load(
          urls,
          {
            method: "POST",
            path: `/v1/organizations/${org.id}/keys`,
            headers: { authorization: `Bearer ${org.token}`, "content-type": "application/json" },
            body: JSON.stringify({ displayName: "load", privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }] }),
          },
          pids,
        );
        figures.push({ database, replicas, operation: "create", ...created, serverPeakRssMiB: Math.max(...servers.map((s) => peakRssMiB(s.pid) ?? 0)) });
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
        await db.drop();
      }
    }
  }
  return figures;
}
