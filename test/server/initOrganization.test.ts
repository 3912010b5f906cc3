import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { serverCli } from "../helpers/serverCli";
import { callApi, startTestServer, type TestServer } from "../helpers/testServer";

/** `apikeys-server init-org` run as a user runs it: the real command, in its own process, against a real server. */
function initOrg(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverCli, "init-org", ...args], { env: { PATH: process.env.PATH!, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A loopback port nobody listens on: one the system just gave out and took back. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const CONFIG_LINES =
  /^pulumi config set apikeys:endpoint (\S+)\npulumi config set apikeys:organizationId (org_\w+)\npulumi config set --secret apikeys:token (at_\w+)\n$/;

describe("apikeys-server init-org: an organization and the stack config lines for it", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
  });
  afterAll(async () => t?.close());

  test("creates the organization and its first admin token; stdout is the three pulumi config lines, the token in the last only", async () => {
    const run = await initOrg(["--name", "acme", "--url", `${t.url}/`], { APIKEYS_ROOT_TOKEN: t.rootToken });
    expect(run.stderr).toMatch(/^Created organization "acme" \(org_\w+\) on http:\/\/127\.0\.0\.1:\d+, with its first admin token tok_\w+ \(scope manage\)\./);
    expect(run.code).toBe(0);
    const [, endpoint, organizationId, token] = CONFIG_LINES.exec(run.stdout) ?? [];
    expect(endpoint).toBe(t.url);
    // The token is this organization's, with scope manage: what `pulumi up` needs.
    const me = await callApi(endpoint, "GET", "/v1/me", { token });
    expect(me.body).toMatchObject({ kind: "organization", organizationId, scope: "manage" });
    // Only stdout, only once: never on stderr, never in the server's log lines, never the root token.
    expect(run.stdout.split(token)).toHaveLength(2);
    expect(run.stderr).not.toContain(token);
    expect(t.logs.join("\n")).not.toContain(token);
    expect(run.stdout + run.stderr).not.toContain(t.rootToken);
    // Made through the admin API: the audit has it, by the root.
    const audit = await t.api("GET", `/v1/organizations/${organizationId}/audit`, { token });
    expect(JSON.stringify(audit.body)).toContain('"organization.create"');
  });

  test("without --url it asks the address the server's own settings give: http://APIKEYS_HOST:APIKEYS_PORT", async () => {
    const port = new URL(t.url).port;
    const run = await initOrg(["--name", "from settings"], { APIKEYS_ROOT_TOKEN: t.rootToken, APIKEYS_HOST: "127.0.0.1", APIKEYS_PORT: port });
    expect(run.code).toBe(0);
    expect(CONFIG_LINES.exec(run.stdout)?.[1]).toBe(`http://127.0.0.1:${port}`);
  });

  test("each mistake stops it with exit 1, the flag or setting named and the fix, nothing on stdout and no token anywhere", async () => {
    const root = { APIKEYS_ROOT_TOKEN: t.rootToken };
    const closedPort = `http://127.0.0.1:${await freePort()}`;
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [
        ["--name", "acme", "--url", t.url],
        {},
        /APIKEYS_ROOT_TOKEN is not set: set it to the root token the server printed at its first start .* never from a flag/,
      ],
      [["--name", "acme", "--url", t.url], { APIKEYS_ROOT_TOKEN: "short" }, /APIKEYS_ROOT_TOKEN: must be at least 32 characters/],
      [
        ["--name", "acme", "--url", t.url],
        { APIKEYS_ROOT_TOKEN: `${t.rootToken}x` },
        /refused the root token \(401\)\. Check that APIKEYS_ROOT_TOKEN holds this server's root token/,
      ],
      [["--url", t.url], root, /--name: the organization's name is required, e.g\. apikeys-server init-org --name acme/],
      [["--name", "a\u0001b", "--url", t.url], root, /--name: must not contain control characters/],
      [["--name", "acme", "--url", closedPort], root, /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\): start the server first/],
      [
        ["--name", "acme", "--url", "keys.example.com"],
        root,
        /--url: "keys\.example\.com" is not a URL; give the server's address, e.g\. --url http:\/\/127\.0\.0\.1:8787/,
      ],
      [["--name", "acme"], { ...root, APIKEYS_PORT: "0" }, /--url: APIKEYS_PORT is 0 .* pass --url with the address the server printed/],
      [["--name", "acme", "--nam", "x"], root, /Unknown option '--nam'.*; see apikeys-server init-org --help/],
    ];
    for (const [args, env, message] of cases) {
      const run = await initOrg(args, env);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 1, stdout: "" });
      expect(run.stderr).toMatch(/^apikeys-server init-org: /);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain(t.rootToken);
    }
  });

  test("--help prints its usage; the server's --help names the subcommand", async () => {
    const help = await initOrg(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("apikeys-server init-org --name NAME [--url URL]");
    const serverHelp = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, [serverCli, "--help"]);
      let out = "";
      child.stdout.on("data", (c) => (out += c));
      child.once("exit", () => resolve(out));
    });
    expect(serverHelp).toContain("apikeys-server init-org --name NAME [--url URL]");
  });
});
