import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startCli } from "../helpers/serverCli";
import { callApi, startTestServer } from "../helpers/testServer";
import { waitUntil } from "../helpers/waitUntil";

// Each test starts Node processes; on a busy 2-core machine that outlasts jest's 5 s default.
jest.setTimeout(30_000);

const reportsIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith("report"))
    .map((f) => readFileSync(join(dir, f), "utf8"));

/** Node creates the report file before it has finished writing it: a report counts once it parses. */
const completeReportsIn = (dir: string) =>
  reportsIn(dir).filter((text) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  });

/**
 * A crash dump (Node's diagnostic report, written on a fatal error, an uncaught exception or a
 * signal) holds the process's environment, command line and stacks. Neither the server's nor the
 * provider host's may hold a credential or a key's secret.
 */
describe("crash dumps hold no secret", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "apikeys-report-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("the server's report, written while it holds a root token, a pepper and issued secrets", async () => {
    const rootToken = "rt_crashdump_root_token_value_0123456789";
    const pepper = "pepper-crashdump-value-0123456789abcdef";
    const { child, url } = await startCli(
      { APIKEYS_ROOT_TOKEN: rootToken, APIKEYS_PEPPER: pepper, DATABASE_URL: `sqlite:${join(dir, "keys.db")}` },
      { nodeArgs: ["--report-on-signal", `--report-directory=${dir}`] },
    );
    const org = (await callApi(url, "POST", "/v1/organizations", { token: rootToken, body: { name: "acme" } })).body;
    const key = (await callApi(url, "POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "k", environment: "live" } })).body;
    await callApi(url, "GET", "/v1/whoami", { headers: { authorization: `Api-Key ${key.secret}` } });
    child.kill("SIGUSR2");
    await waitUntil("a complete diagnostic report", () => completeReportsIn(dir).length > 0, { timeoutMs: 5000, intervalMs: 50 });
    child.kill("SIGTERM");
    const reports = reportsIn(dir);
    expect(reports).toHaveLength(1);
    expect(JSON.parse(reports[0]).environmentVariables.PATH).toBeDefined(); // it is a real report, environment included
    for (const secret of [rootToken, pepper, org.token, key.secret, join(dir, "keys.db")]) expect(reports[0]).not.toContain(secret);
  });

  test("the provider host's report, written after a create with a token from the environment", async () => {
    const server = await startTestServer("sqlite");
    try {
      const org = await server.createOrganization();
      // The dynamic-provider host in miniature: the shared provider, configured from the environment.
      const script = `
        const { sharedProvider } = require(${JSON.stringify(resolve(__dirname, "../../dist/provider/hooks.js"))});
        (async () => {
          const p = sharedProvider();
          const checked = await p.check({}, { displayName: "from the host" });
          const created = await p.create(checked.inputs);
          process.stdout.write(JSON.stringify({ secret: created.outs.secret }));
          process.report.directory = ${JSON.stringify(dir)};
          process.report.writeReport();
        })().catch((e) => { console.error(e); process.exit(1); });`;
      // Not spawnSync: the server answers from this process's event loop.
      const run = await new Promise<{ stdout: string; stderr: string }>((resolvePromise) => {
        const child = spawn(process.execPath, ["-e", script], {
          env: { PATH: process.env.PATH!, APIKEYS_ENDPOINT: server.url, APIKEYS_TOKEN: org.token, APIKEYS_ORGANIZATION_ID: org.id },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.on("exit", () => resolvePromise({ stdout, stderr }));
      });
      expect(run.stderr).not.toMatch(/Error/);
      const { secret } = JSON.parse(run.stdout);
      expect(secret).toMatch(/^ak_test_/);
      const reports = reportsIn(dir);
      expect(reports).toHaveLength(1);
      expect(JSON.parse(reports[0]).environmentVariables.APIKEYS_ENDPOINT).toBe(server.url);
      expect(reports[0]).not.toContain(org.token);
      expect(reports[0]).not.toContain(secret);
    } finally {
      await server.close();
    }
  });
});
