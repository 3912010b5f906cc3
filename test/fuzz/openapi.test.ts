import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alertSigner } from "../helpers/alertSigner";
import { startTestServer, type DatabaseKind, type TestServer } from "../helpers/testServer";

/**
 * Schemathesis (PyPI schemathesis==4.32.5, in the virtualenv scripts/ensure-python.sh makes) against
 * the server's own /openapi.json, on each database: the fuzzing phase (requests generated from each
 * operation's schemas, valid and invalid) and the stateful phase (sequences that follow the
 * document's links from a create to get, update, roll and revoke what it created). The settings are
 * in schemathesis.toml, the rules JSON Schema cannot state in hooks.py, both next to this file.
 *
 * Checks: no 5xx, every status and content type documented, every answer valid by its documented
 * schema, and every request valid by the document accepted (positive_data_acceptance: the
 * document is no looser than the validators).
 */
/** Fixed: a failure found here is found again by the next run (examples per operation: schemathesis.toml). */
const SEED = 20261202;
/** Measured 50-65 s per database on 2 cores; the bound is for a machine busy with other suites. */
const BUDGET_MS = 240_000;

interface Outcome {
  readonly code: number | null;
  readonly output: string;
  readonly requests: number;
  readonly seconds: number;
}

function withoutForceColor(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { FORCE_COLOR: _forceColor, ...rest } = env;
  return rest;
}

async function runSchemathesis(t: TestServer, credentials: Record<string, string>): Promise<Outcome> {
  const pythonBin = process.env.APIKEYS_TEST_PYTHON_BIN;
  if (!pythonBin) throw new Error("APIKEYS_TEST_PYTHON_BIN is not set: run the tests with npm test (scripts/ensure-python.sh makes the virtualenv)");
  const reports = mkdtempSync(join(tmpdir(), "apikeys-fuzz-"));
  const started = Date.now();
  try {
    const args = ["--config-file", join(__dirname, "schemathesis.toml"), "run", `${t.url}/openapi.json`, "--seed", String(SEED)];
    args.push("--report", "ndjson", "--report-dir", reports);
    // Asynchronous: the server answering Schemathesis runs in this process.
    const child = spawn(join(pythonBin, "st"), args, {
      cwd: reports,
      // Without FORCE_COLOR: npm test sets FORCE_COLOR=0, which Schemathesis's terminal library reads
      // as "force colours" and fills the summary with escape codes.
      env: { ...withoutForceColor(process.env), ...credentials, APIKEYS_FUZZ_HOOKS: join(__dirname, "hooks.py"), NO_COLOR: "1", PYTHONUNBUFFERED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    // Escape codes out, should a terminal setting still ask for colours.
    const plain = output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
    return { code, output: plain, requests: countRequests(reports), seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}

/** Requests sent, from the NDJSON report: one recorded case per request. */
function countRequests(reports: string): number {
  let count = 0;
  for (const file of readdirSync(reports).filter((name) => name.endsWith(".ndjson"))) {
    for (const line of readFileSync(join(reports, file), "utf8").split("\n")) {
      if (!line.includes('"ScenarioFinished"')) continue;
      const event = JSON.parse(line) as { ScenarioFinished: { recorder: { interactions?: Record<string, unknown> } } };
      count += Object.keys(event.ScenarioFinished.recorder.interactions ?? {}).length;
    }
  }
  return count;
}

/** What Schemathesis says about a failed run: from its failures section on, without the progress lines. */
function failureSummary(output: string): string {
  const from = output.search(/^=+ (FAILURES|ERRORS|WARNINGS|SUMMARY) =+$/m);
  return from >= 0 ? output.slice(from) : output;
}

describe.each<DatabaseKind>(["sqlite", "postgres"])("Schemathesis against /openapi.json on %s", (kind) => {
  let t: TestServer;
  afterAll(async () => t?.close());

  test(
    "fuzzing and stateful phases: no server error, every answer as documented, every request valid by the document accepted",
    async () => {
      const signer = alertSigner("schemathesis");
      // Rate limits off: the run's ~1,000 requests in half a minute are not what is tested here.
      t = await startTestServer(kind, { rateLimitPerSecond: 0, leakAlertKeys: JSON.stringify({ public_keys: [signer.published] }) });
      const org = await t.api("POST", "/v1/organizations", { token: t.rootToken, body: { name: "schemathesis" } });
      expect(org.status).toBe(201);
      // A live key for the routes an API key authenticates (/v1/verify, /v1/whoami).
      const key = await t.api("POST", `/v1/organizations/${org.body.id}/keys`, { token: org.body.token, body: { displayName: "schemathesis" } });
      expect(key.status).toBe(201);

      const outcome = await runSchemathesis(t, {
        APIKEYS_FUZZ_ORG_ID: org.body.id,
        APIKEYS_FUZZ_ADMIN_TOKEN: org.body.token,
        APIKEYS_FUZZ_TOKEN_ID: org.body.tokenId,
        APIKEYS_FUZZ_API_KEY: key.body.secret,
        APIKEYS_FUZZ_KEY_ID: key.body.id,
      });
      console.log(`schemathesis on ${kind}: ${outcome.requests} requests in ${outcome.seconds.toFixed(1)} s, exit code ${outcome.code}`);
      if (outcome.code !== 0) throw new Error(`schemathesis exited ${outcome.code} on ${kind}:\n${failureSummary(outcome.output)}`);
      // The stateful phase reached what the run created, through the document's links.
      const links = /API Links:\s+(\d+) covered/.exec(outcome.output);
      if (!(Number(links?.[1] ?? 0) > 0)) throw new Error(`the stateful phase followed no link on ${kind}; Schemathesis said:\n${outcome.output.slice(-4000)}`);
      expect(outcome.requests).toBeGreaterThan(500);
      // Nothing logged as a server error, whatever Schemathesis saw.
      expect(t.logs.filter((line) => /"status":5\d\d/.test(line))).toEqual([]);
    },
    BUDGET_MS,
  );
});
