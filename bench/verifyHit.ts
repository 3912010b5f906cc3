import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, openSync, rmSync, symlinkSync } from "node:fs";
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repoRoot = join(__dirname, "..");

/**
 * A verification answered from the cache, timed in-process: CPU µs per call, the minimum over many
 * short rounds, so other work on the machine (which throughput runs cannot tell apart) shows in the
 * slower rounds, not in the figure. `npx tsx bench/verifyHit.ts` (ITERATIONS, ROUNDS and ONLY to change).
 *
 * - `KeyVerifier.answer`: what the server itself does to verify a hot key (limits, HMAC, cache, checks).
 * - `fast whoami`: `GET /v1/whoami`'s whole handler (server/http/fastWhoami.ts) on a Node request and
 *   response without a socket: the verifier plus the request id, client address, headers and log line.
 * - `floor`: bench/verifyFloorServer.js's handler on the same request and response (regex, HMAC, Map,
 *   JSON): the work Node itself must do, which `npm run bench` loads over loopback as the floor.
 *
 * The server is set up as `npm run bench` runs it (no verify rate limit, the log to a file: here
 * /dev/null), on a fresh SQLite database, and compiled by tsc as it ships (into a temporary folder):
 * tsx compiles with esbuild's keepNames, which wraps every closure in a `__name` call each time it is
 * made, a cost the shipped server does not have.
 */
const ITERATIONS = Number(process.env.ITERATIONS ?? 5_000);
const ROUNDS = Number(process.env.ROUNDS ?? 40);

/**
 * The process's CPU time (user + system) per call, not wall time: on a machine shared with other work
 * the process waits for a core, and waiting is not cost. Rounds are short so some run undisturbed by
 * cache-stealing neighbours; the fastest round is the figure.
 */
async function timePerCall(run: () => Promise<void> | void): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    // A call answered synchronously (a cache hit) is not awaited: awaiting costs a turn of the microtask queue.
    for (let i = 0; i < ITERATIONS; i++) {
      const pending = run();
      if (pending) await pending;
    }
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / ITERATIONS);
  }
  return Math.round(best * 1000) / 1000;
}

/** A GET /v1/whoami as Node's parser leaves it, from 127.0.0.1, for the handlers to read. */
function whoamiRequest(secret: string): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, "remoteAddress", { value: "127.0.0.1" });
  const incoming = new IncomingMessage(socket);
  incoming.method = "GET";
  incoming.url = "/v1/whoami";
  incoming.headers = { host: "127.0.0.1:8787", authorization: `Api-Key ${secret}`, connection: "keep-alive" };
  return incoming;
}

/**
 * The server's modules as tsc compiles them (server/tsconfig.json, as `npm run build`), from `outDir`.
 * VERIFYHIT_TREE=<folder> compiles another checkout's server instead, to compare with an older
 * commit: `git archive <commit> server shared tsconfig.json | tar -x -C <folder>`, and
 * `ln -s "$PWD/node_modules" <folder>/` for the compiler's type packages.
 */
function compiledServer(outDir: string) {
  const tree = process.env.VERIFYHIT_TREE ?? repoRoot;
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(tree, "server/tsconfig.json"), "--outDir", outDir], {
    stdio: "inherit",
  });
  // The compiled files find their packages in the repository's node_modules, as server/dist does.
  symlinkSync(join(repoRoot, "node_modules"), join(outDir, "node_modules"), "dir");
  const load = (module: string): unknown => require(join(outDir, "server", module));
  return {
    ...(load("app.js") as typeof import("../server/app")),
    ...(load("db/open.js") as typeof import("../server/db/open")),
    ...(load("db/storedSettings.js") as typeof import("../server/db/storedSettings")),
    ...(load("http/clientAddress.js") as typeof import("../server/http/clientAddress")),
    ...(load("http/fastWhoami.js") as typeof import("../server/http/fastWhoami")),
    ...(load("http/logWriter.js") as typeof import("../server/http/logWriter")),
    ...(load("verify/verifyCache.js") as typeof import("../server/verify/verifyCache")),
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "apikeys-verifyhit-"));
  try {
    await measure(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compiles the server into `dir`, makes a database and a hot key there, and prints the figures. */
async function measure(dir: string): Promise<void> {
  const { createServerApp, openDatabase, bootstrapSettings, ClientAddressResolver, withFastWhoami, LogWriter, VerifyCache } = compiledServer(join(dir, "dist"));
  const database = await openDatabase(`sqlite:${join(dir, "apikeys.db")}`);
  try {
    const rootToken = `rt_bench_${randomBytes(18).toString("base64url")}`;
    const settings = await bootstrapSettings(database.db, { rootToken });
    const logWriter = new LogWriter(openSync("/dev/null", "w"));
    const writeLog = (line: Record<string, unknown>) => logWriter.write(line);
    const clientAddress = new ClientAddressResolver([], "x-forwarded-for");
    const { app, verifier, log } = createServerApp({
      context: {
        db: database.db,
        databaseKind: database.kind,
        pepper: settings.pepper,
        now: () => new Date(),
        verifyCache: new VerifyCache(60_000),
        queries: database.queries,
      },
      rootTokenHash: settings.rootTokenHash,
      log: writeLog,
      rateLimitPerSecond: 0,
      verifyRateLimitPerSecond: 0,
      failedVerifyRateLimitPerSecond: 0,
      maxBodyBytes: 64 * 1024,
      clientAddress,
    });
    const post = async (path: string, token: string, body: unknown) => {
      const answer = await app.request(path, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (answer.status !== 201) throw new Error(`POST ${path}: ${answer.status} ${await answer.text()}`);
      return (await answer.json()) as { id: string; token?: string; secret?: string };
    };
    const org = await post("/v1/organizations", rootToken, { name: "bench" });
    const key = await post(`/v1/organizations/${org.id}/keys`, org.token!, {
      displayName: "hot key",
      privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
    });
    const secret = key.secret!;

    const request = { authorization: `Api-Key ${secret}`, clientAddress: "127.0.0.1" };
    const first = await verifier.answer(request);
    if (first.status !== 200) throw new Error(`the hot key did not verify: ${JSON.stringify(first)}`);

    const incoming = whoamiRequest(secret);
    const notFast = () => {
      throw new Error("the request left the fast path");
    };
    const fast = withFastWhoami(notFast, { verifier, clientAddress, log, logRequest: writeLog });

    const pepper = randomBytes(32).toString("hex");
    const hash = (s: string) => createHmac("sha256", pepper).update(s).digest("base64url");
    const floorKeys = new Map([[hash(secret), first.body]]);
    const floor = (req: IncomingMessage, res: ServerResponse) => {
      const match = /^(?:Api-Key|Bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
      const found = match ? floorKeys.get(hash(match[1])) : undefined;
      res.writeHead(found ? 200 : 401, { "content-type": "application/json" });
      res.end(JSON.stringify(found ?? { error: { code: "UNAUTHENTICATED" } }));
    };

    const queriesBefore = database.queries.count;
    const runs: Record<string, () => Promise<void> | void> = {
      "KeyVerifier.answer (cache hit)": () => {
        const answer = verifier.answer(request);
        return answer instanceof Promise ? answer.then(() => undefined) : undefined;
      },
      "fast whoami handler (cache hit)": () => fast(incoming, new ServerResponse(incoming)),
      "floor handler (HMAC + Map + JSON)": () => floor(incoming, new ServerResponse(incoming)),
      "HMAC-SHA-256 alone": () => void hash(secret),
    };
    // ONLY=fast times just the runs whose name contains it (for a CPU profile of one of them).
    const figures: Record<string, number> = {};
    for (const [name, run] of Object.entries(runs)) if (name.includes(process.env.ONLY ?? "")) figures[name] = await timePerCall(run);
    const queries = database.queries.count - queriesBefore;
    logWriter.close();
    const width = Math.max(...Object.keys(figures).map((name) => name.length));
    process.stdout.write(`verify, cache hit: µs per call, min of ${ROUNDS} rounds of ${ITERATIONS} (node ${process.version})\n`);
    for (const [name, micros] of Object.entries(figures)) process.stdout.write(`${name.padEnd(width)}  ${micros.toFixed(3).padStart(7)} µs\n`);
    const handler = figures["fast whoami handler (cache hit)"];
    const floorMicros = figures["floor handler (HMAC + Map + JSON)"];
    if (handler && floorMicros) process.stdout.write(`floor / fast whoami: ${(floorMicros / handler).toFixed(2)}x\n`);
    process.stdout.write(`database statements during the runs: ${queries}\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
