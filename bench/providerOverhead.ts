import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineStack } from "../test/helpers/engine";
import { floorProgram } from "./engineFloor";
import { api, peakRssMiB, startServerProcess, watchPeakRss } from "./serverProcess";

const PARALLEL = 16;

export interface OperationFigures {
  readonly operation: string;
  readonly keys: number;
  readonly engineSeconds: number;
  /** The same HTTP calls straight from a script at the same concurrency; undefined where there are none. */
  readonly baselineSeconds?: number;
  readonly ratio?: number;
  /** The same operation on N resources of ApiKey's shape through a no-op dynamic provider (bench/engineFloor.ts). */
  readonly floorSeconds?: number;
  readonly floorRatio?: number;
  /** HTTP requests the operation made to the key API, by method. */
  readonly calls: Record<string, number>;
  readonly mutatingCalls: number;
}

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

/** `pulumi up`/`preview`/`refresh`/`destroy` of N keys on the real engine next to raw HTTP doing the same calls. */
export async function measureProviderOverhead(
  keyCounts: number[],
  label = "",
): Promise<{ operations: OperationFigures[]; providerPeakRssMiB: number; serverPeakRssMiB?: number }> {
  const dir = mkdtempSync(join(tmpdir(), "apikeys-bench-"));
  const server = await startServerProcess(`sqlite:${join(dir, "bench.db")}`);
  const operations: OperationFigures[] = [];
  const providerMemory = watchPeakRss(/cmd\/dynamic-provider/);
  try {
    const org = await api(server.url, "POST", "/v1/organizations", server.rootToken, { name: "bench" });
    const keysPath = `/v1/organizations/${org.id}/keys`;
    for (const n of keyCounts) {
      const stack = await EngineStack.create({ name: `bench-${n}`, endpoint: server.url, organizationId: org.id, token: org.token });
      stack.keys = Object.fromEntries(
        Array.from({ length: n }, (_, i) => [
          `key-${i}`,
          { description: "benchmark key", privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }] },
        ]),
      );
      const floor = await EngineStack.create({
        name: `bench-floor-${n}`,
        endpoint: server.url,
        organizationId: org.id,
        token: org.token,
        program: floorProgram(n),
      });
      const record = async (operation: string, run: () => Promise<unknown>, baseline?: () => Promise<unknown>, floorRun?: () => Promise<unknown>) => {
        await server.logged(); // the previous step's baseline calls are all counted before this one starts
        const before = server.requests.length;
        const engineSeconds = await seconds(run);
        await server.logged();
        const requests = server.requests.slice(before);
        const calls: Record<string, number> = {};
        for (const r of requests) calls[r.method] = (calls[r.method] ?? 0) + 1;
        const baselineSeconds = baseline ? await seconds(baseline) : undefined;
        const floorSeconds = floorRun ? await seconds(floorRun) : undefined;
        operations.push({
          operation: `${operation}${label}`,
          keys: n,
          engineSeconds: round(engineSeconds),
          baselineSeconds: baselineSeconds === undefined ? undefined : round(baselineSeconds),
          ratio: baselineSeconds ? round(engineSeconds / baselineSeconds) : undefined,
          floorSeconds: floorSeconds === undefined ? undefined : round(floorSeconds),
          floorRatio: floorSeconds ? round(engineSeconds / floorSeconds) : undefined,
          calls,
          mutatingCalls: requests.filter((r) => r.method !== "GET").length,
        });
      };
      // Baselines act on a separate set of keys so they never disturb the stack's.
      const baselineIds: string[] = [];
      const indexes = Array.from({ length: n }, (_, i) => i);
      await record(
        "up (create)",
        () => stack.up({ parallel: PARALLEL }),
        () =>
          withConcurrency(indexes, PARALLEL, async (i) => {
            const key = await api(server.url, "POST", keysPath, org.token, {
              displayName: `baseline-${i}`,
              description: "benchmark key",
              privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
            });
            baselineIds.push(key.id);
          }),
        () => floor.up({ parallel: PARALLEL }),
      );
      await record(
        "up (no change)",
        () => stack.up({ parallel: PARALLEL }),
        undefined,
        () => floor.up({ parallel: PARALLEL }),
      );
      await record(
        "preview",
        () => stack.preview({ parallel: PARALLEL }),
        undefined,
        () => floor.preview({ parallel: PARALLEL }),
      );
      await record(
        "refresh",
        () => stack.refresh({ parallel: PARALLEL }),
        () => withConcurrency(baselineIds, PARALLEL, (id) => api(server.url, "GET", `${keysPath}/${id}`, org.token)),
        () => floor.refresh({ parallel: PARALLEL }),
      );
      await record(
        "destroy",
        () => stack.destroy({ parallel: PARALLEL }),
        () => withConcurrency(baselineIds, PARALLEL, (id) => api(server.url, "DELETE", `${keysPath}/${id}`, org.token)),
        () => floor.destroy({ parallel: PARALLEL }),
      );
      await stack.dispose();
      await floor.dispose();
    }
    return { operations, providerPeakRssMiB: providerMemory.stop(), serverPeakRssMiB: peakRssMiB(server.pid) };
  } finally {
    providerMemory.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
