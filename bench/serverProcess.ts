import { randomBytes } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const repoRoot = join(__dirname, "..");

/** The reference server as its own process, as in production: the load generator does not share its event loop. */
export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  readonly rootToken: string;
  /** Every request the server logged: method, path, status. */
  readonly requests: Array<{ method: string; path: string; status: number; requestId: string; durationMs: number }>;
  /**
   * Resolves once every request answered so far is in `requests`: the server writes its log lines in
   * batches after the answers, so a client can be done before the lines of its last requests arrive.
   */
  logged(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `collectRequests: false` sends the log to a file nobody reads during the run (its `requests` stay
 * empty): for a throughput run. The server still writes every line, a cost it has in production; but
 * a pipe read by this process, which also runs the load generator, cost the load generator CPU for
 * ours and not for the floor (which logs nothing), and a pipe read late fills and makes the server's
 * writes wait.
 */
export function startServerProcess(databaseUrl: string, env: Record<string, string> = {}, options: { collectRequests?: boolean } = {}): Promise<ServerProcess> {
  const rootToken = `rt_bench_${randomBytes(18).toString("base64url")}`;
  return new Promise((resolve, reject) => {
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load (Node refuses --cpu-prof in NODE_OPTIONS).
    const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
    const logDir = options.collectRequests === false ? mkdtempSync(join(tmpdir(), "apikeys-bench-log-")) : undefined;
    const logFile = logDir === undefined ? undefined : join(logDir, "server.log");
    const logFd = logFile === undefined ? undefined : openSync(logFile, "w");
    const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(repoRoot, "server/dist/server/cli.js"), "--port", "0"], {
      env: {
        PATH: process.env.PATH!,
        DATABASE_URL: databaseUrl,
        APIKEYS_ROOT_TOKEN: rootToken,
        APIKEYS_RATE_LIMIT: "0",
        APIKEYS_VERIFY_RATE_LIMIT: "0",
        ...env,
      },
      stdio: ["ignore", logFd ?? "pipe", "inherit"],
    });
    if (logFd !== undefined) closeSync(logFd);
    const requests: ServerProcess["requests"] = [];
    let buffer = "";
    let url: string | undefined;
    // After "listening", lines are parsed only when `requests` is read.
    const parsePending = () => {
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        const entry = JSON.parse(line);
        if (entry.method)
          requests.push({ method: entry.method, path: entry.path, status: entry.status, requestId: entry.requestId, durationMs: entry.durationMs });
        if (entry.msg === "listening" && !url) started(entry.url);
      }
    };
    const started = (address: string) => {
      url = address;
      resolve({
        url: address,
        pid: child.pid!,
        rootToken,
        get requests() {
          parsePending();
          return requests;
        },
        async logged() {
          // A request of our own, answered last: once its line is here, every earlier one is.
          const marker = (await fetch(`${address}/healthz`)).headers.get("x-request-id");
          const markerIndex = () => (parsePending(), requests.findIndex((r) => r.requestId === marker));
          while (markerIndex() < 0) await new Promise((r) => setTimeout(r, 5));
          requests.splice(markerIndex(), 1);
        },
        stop: () =>
          new Promise<void>((done) => {
            child.once("exit", () => {
              if (logDir !== undefined) rmSync(logDir, { recursive: true, force: true });
              done();
            });
            child.kill("SIGTERM");
          }),
      });
    };
    if (logFile === undefined) {
      child.stdout!.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        if (url === undefined) parsePending();
      });
    } else {
      // Read until "listening", then never again.
      const poll = setInterval(() => {
        if (url !== undefined || child.exitCode !== null) return clearInterval(poll);
        buffer = readFileSync(logFile, "utf8");
        parsePending();
        if (url !== undefined) clearInterval(poll);
      }, 10);
    }
    child.once("exit", (code) => url === undefined && reject(new Error(`server exited with ${code}`)));
  });
}

/** Peak resident memory of a live process (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number | undefined {
  try {
    const match = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+) kB/);
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** Samples the peak RSS of every process whose command line matches, until stopped. */
export function watchPeakRss(pattern: RegExp): { stop(): number } {
  let peak = 0;
  const { readdirSync } = require("node:fs") as typeof import("node:fs");
  const sample = () => {
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        if (!pattern.test(readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " "))) continue;
        peak = Math.max(peak, peakRssMiB(Number(pid)) ?? 0);
      } catch {
        // The process ended between the listing and the read.
      }
    }
  };
  const timer = setInterval(sample, 100);
  return {
    stop() {
      sample();
      clearInterval(timer);
      return peak;
    },
  };
}

/** The bench reads ids, tokens and secrets (strings) and counters (numbers) from the answers. */
export async function api<Answer = Record<string, string>>(url: string, method: string, path: string, token: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}
