import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { pepperFingerprint } from "../../server/db/storedSettings";
import { startServer } from "../../server/index";
import { parseServerSettings, SERVER_SETTINGS, serverOptionsFrom, SettingsError } from "../../server/settings";
import { serverCli, startCli, exitOf } from "../helpers/serverCli";
import { callApi } from "../helpers/testServer";

/** Runs `apikeys-server` to its exit: its code, what it printed, and how long it took. */
function runCli(env: Record<string, string>, args: string[] = ["--port", "0"]): Promise<{ code: number | null; stderr: string; stdout: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [serverCli, ...args], { env: { PATH: process.env.PATH!, ...env } });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (c) => (stderr += c));
    child.stdout.on("data", (c) => {
      stdout += c;
      // A server that started despite a bad setting: stop it, the test fails on the exit code.
      if (stdout.includes('"listening"')) child.kill("SIGTERM");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout, ms: Date.now() - started });
    });
  });
}

describe("server settings are checked at start", () => {
  let dir: string;
  let db: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "apikeys-settings-"));
    db = `sqlite:${join(dir, "db.sqlite")}`;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    ["APIKEYS_RATE_LIMIT", "200/s", /APIKEYS_RATE_LIMIT: must be a whole number of requests per second.*for example 200 \(got "200\/s"\)/],
    ["APIKEYS_RATE_LIMIT", "abc", /APIKEYS_RATE_LIMIT: must be a whole number/],
    ["APIKEYS_VERIFY_RATE_LIMIT", "2k", /APIKEYS_VERIFY_RATE_LIMIT: must be a whole number.*for example 2000/],
    ["APIKEYS_FAILED_VERIFY_RATE_LIMIT", "ten", /APIKEYS_FAILED_VERIFY_RATE_LIMIT: must be a whole number.*for example 10/],
    ["APIKEYS_VERIFY_CACHE_MS", "5s", /APIKEYS_VERIFY_CACHE_MS: must be a whole number of milliseconds.*for example 5000/],
    ["APIKEYS_TRUSTED_PROXIES", "10.0.0.0/99", /APIKEYS_TRUSTED_PROXIES: must be a comma-separated list of addresses or CIDR ranges/],
    ["APIKEYS_ALLOW_NON_LOOPBACK", "yes", /APIKEYS_ALLOW_NON_LOOPBACK: must be 1 or 0/],
  ])("%s=%s exits 1 naming the setting, the problem and an example", async (name, value, message) => {
    const run = await runCli({ DATABASE_URL: db, [name]: value });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).not.toContain('"listening"');
  });

  test("--port '' is refused instead of listening on a random port", async () => {
    const run = await runCli({ DATABASE_URL: db }, ["--port", ""]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--port \/ APIKEYS_PORT: must be a whole number of a TCP port/);
  });

  test("a short root token is refused without echoing it", async () => {
    const run = await runCli({ DATABASE_URL: db, APIKEYS_ROOT_TOKEN: "admin" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/APIKEYS_ROOT_TOKEN: must be at least 32 characters/);
    expect(run.stderr).not.toContain('"admin"');
  });

  test("APIKEYS_CLIENT_IP_HEADER without a trusted proxy is refused (it would never be believed)", async () => {
    const run = await runCli({ DATABASE_URL: db, APIKEYS_CLIENT_IP_HEADER: "x-real-ip" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/APIKEYS_CLIENT_IP_HEADER: .*APIKEYS_TRUSTED_PROXIES/);
  });

  test("a SQLite path that cannot be created fails within seconds with a message (it used to hang)", async () => {
    const run = await runCli({ DATABASE_URL: "sqlite:/proc/1/nope/x.db" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/DATABASE_URL: cannot create the directory \/proc\/1\/nope/);
    expect(run.ms).toBeLessThan(9_000); // the harness kills a hung server at 10 s
  });

  test.each([
    ["a URL that does not parse (a # in the password)", "postgres://apikeys:pass#word@127.0.0.1/apikeys", /DATABASE_URL: .*not a valid URL.*percent-encode/],
    ["a server that refuses the connection", "postgres://apikeys:hunter2hunter2@127.0.0.1:1/apikeys", /DATABASE_URL: .*127\.0\.0\.1:1.*ECONNREFUSED.*running/],
  ])("DATABASE_URL with %s fails naming the setting and the fix, never the password", async (_what, url, message) => {
    const run = await runCli({ DATABASE_URL: url });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/word@|hunter2/);
  });

  test("--database-url with a password is refused (the process list shows it); without one it still works", async () => {
    const withPassword = await runCli({}, ["--port", "0", "--database-url", "postgres://apikeys:hunter2hunter2@127.0.0.1:1/apikeys"]);
    expect(withPassword.code).toBe(1);
    expect(withPassword.stderr).toMatch(/--database-url.*password.*DATABASE_URL/);
    expect(withPassword.stderr).not.toContain("hunter2");
    const asQuery = await runCli({}, ["--port", "0", "--database-url", "postgres://apikeys@127.0.0.1:1/apikeys?password=hunter2hunter2"]);
    expect(asQuery.code).toBe(1);
    expect(asQuery.stderr).toMatch(/--database-url.*password/);
    expect(asQuery.stderr).not.toContain("hunter2");

    const withoutPassword = await runCli({}, ["--port", "0", "--database-url", "postgres://apikeys@127.0.0.1:1/apikeys"]);
    expect(withoutPassword.stderr).not.toMatch(/password/);
    expect(withoutPassword.stderr).toMatch(/DATABASE_URL: .*ECONNREFUSED/);
    const sqlite = await runCli({}, ["--port", "0", "--database-url", db]);
    expect(sqlite.stdout).toContain('"listening"');
    expect(sqlite.code).toBe(0);
  });

  test("a URL in a file (--database-url @file) is read from the file", async () => {
    const file = join(dir, "database-url");
    writeFileSync(file, `${db}\n`, { mode: 0o600 });
    const run = await runCli({}, ["--port", "0", "--database-url", `@${file}`]);
    expect(run.stdout).toContain('"listening"');
    expect(run.code).toBe(0);
    const missing = await runCli({}, ["--port", "0", "--database-url", `@${join(dir, "nope")}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/DATABASE_URL: cannot read .*nope/);
  });

  test("--help lists every setting of the schema with its flag and default, from the one table", async () => {
    const { code, stdout } = await runCli({}, ["--help"]);
    expect(code).toBe(0);
    for (const [name, row] of Object.entries(SERVER_SETTINGS)) {
      expect(stdout).toContain(name);
      if ("flag" in row) expect(stdout).toContain(row.flag.name);
    }
    expect(stdout).toContain("default 8787");
    expect(stdout).toContain("default sqlite:./.apikeys/apikeys.db");
    expect(stdout).toContain("default 200; 0: off");
    expect(stdout).toContain("default x-forwarded-for");
  });

  test("valid settings start the server", async () => {
    const cli = await startCli({
      DATABASE_URL: db,
      APIKEYS_RATE_LIMIT: "50",
      APIKEYS_VERIFY_CACHE_MS: "0",
      APIKEYS_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8",
      APIKEYS_CLIENT_IP_HEADER: "X-Real-IP",
    });
    expect((await callApi(cli.url, "GET", "/healthz")).status).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await exitOf(cli.child)).toBe(0);
  });
});

describe("a setting of the command is an option of startServer", () => {
  test("each row names its own option, and the parsed settings become those options", () => {
    const options = Object.values(SERVER_SETTINGS).map((row) => row.option);
    expect(new Set(options).size).toBe(options.length);
    const parsed = parseServerSettings({ APIKEYS_PORT: "0", APIKEYS_VERIFY_CACHE_MS: "0", APIKEYS_TRUSTED_PROXIES: "10.0.0.0/8" });
    expect(serverOptionsFrom(parsed)).toMatchObject({ port: 0, host: "127.0.0.1", verifyCacheMs: 0, trustedProxies: ["10.0.0.0/8"], rateLimitPerSecond: 200 });
  });

  test.each([
    [{ rootToken: "short" }, "APIKEYS_ROOT_TOKEN"],
    [{ pepper: "" }, "APIKEYS_PEPPER"],
    [{ verifyRateLimitPerSecond: -1 }, "verifyRateLimitPerSecond"],
    [{ maxBodyBytes: -5 }, "maxBodyBytes"],
    [{ trustedProxies: ["10.0.0.0/33"] }, "trustedProxies"],
  ])("a server started from code with %j is refused, naming %s", async (options, setting) => {
    const refused = startServer({ databaseUrl: "sqlite::memory:", ...options });
    await expect(refused).rejects.toBeInstanceOf(SettingsError);
    await expect(refused).rejects.toMatchObject({ setting });
  });
});

describe("the pepper", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "apikeys-pepper-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const rootToken = "rt_pepper_test_root_token_0123456789";

  test("setting APIKEYS_PEPPER on a database hashed with the generated pepper is refused at start; the original one still works", async () => {
    const databaseUrl = `sqlite:${join(dir, "db.sqlite")}`;
    const first = await startServer({ databaseUrl, rootToken, log: () => undefined });
    const org = (await callApi(first.url, "POST", "/v1/organizations", { token: rootToken, body: { name: "acme" } })).body;
    const key = (await callApi(first.url, "POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "k" } })).body;
    await first.close();

    const pepper = "a-new-pepper-set-by-the-operator-0123456789";
    await expect(startServer({ databaseUrl, rootToken, pepper, log: () => undefined })).rejects.toThrow(
      /APIKEYS_PEPPER is not the pepper this database's keys and tokens were hashed with.*unset it/,
    );

    const again = await startServer({ databaseUrl, rootToken, log: () => undefined });
    expect((await callApi(again.url, "GET", "/v1/whoami", { headers: { authorization: `Api-Key ${key.secret}` } })).status).toBe(200);
    await again.close();
  });

  /** Every row of the settings table, to prove a refused start wrote nothing. */
  const settingsRows = (databaseUrl: string) => {
    const sqlite = new Database(databaseUrl.slice("sqlite:".length), { readonly: true });
    try {
      return sqlite.prepare("SELECT name, value FROM settings ORDER BY name").all();
    } finally {
      sqlite.close();
    }
  };

  test("a start refused for its pepper leaves the database untouched, so the next refusal's advice still holds", async () => {
    const databaseUrl = `sqlite:${join(dir, "db.sqlite")}`;
    const pepper = "the-operators-pepper-0123456789abcdef";
    await (await startServer({ databaseUrl, rootToken, pepper, log: () => undefined })).close();
    const before = settingsRows(databaseUrl);
    await expect(startServer({ databaseUrl, rootToken, log: () => undefined })).rejects.toThrow(/set APIKEYS_PEPPER to it again/);
    expect(settingsRows(databaseUrl)).toEqual(before);
    // The database did not gain a generated pepper, so it does not advise unsetting the pepper.
    const wrong = await startServer({ databaseUrl, rootToken, pepper: "another-pepper-0123456789abcdefghijkl", log: () => undefined }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(wrong?.message).toMatch(/Start with the original APIKEYS_PEPPER/);
    expect(wrong?.message).not.toMatch(/unset it/);
    expect(settingsRows(databaseUrl)).toEqual(before);
    await (await startServer({ databaseUrl, rootToken, pepper, log: () => undefined })).close();
  });

  test("APIKEYS_PEPPER='' is an error, not unset", async () => {
    const databaseUrl = `sqlite:${join(dir, "db.sqlite")}`;
    const run = await runCli({ DATABASE_URL: databaseUrl, APIKEYS_PEPPER: "" });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/APIKEYS_PEPPER: .*empty.*unset it/);
    await expect(startServer({ databaseUrl, rootToken, pepper: "", log: () => undefined })).rejects.toThrow(/APIKEYS_PEPPER: .*empty/);
  });

  test("a pepper shorter than 32 characters is refused for a new database, without echoing it and without writing to it", async () => {
    const databaseUrl = `sqlite:${join(dir, "db.sqlite")}`;
    const short = "short-pepper-0123456789";
    const error = await startServer({ databaseUrl, rootToken, pepper: short, log: () => undefined }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/APIKEYS_PEPPER: must be at least 32 characters.*openssl rand -base64 32/);
    expect(error?.message).not.toContain(short);
    expect(settingsRows(databaseUrl)).toEqual([]);
    const run = await runCli({ DATABASE_URL: databaseUrl, APIKEYS_PEPPER: short });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/APIKEYS_PEPPER: must be at least 32 characters/);
    expect(run.stderr).not.toContain(short);
  });

  test("a database already hashed with a short pepper still starts with it (a pepper cannot be changed), with a warning", async () => {
    const databaseUrl = `sqlite:${join(dir, "db.sqlite")}`;
    const short = "short-pepper-0123456789";
    // A database made before the rule: its fingerprint is the short pepper's.
    await (await startServer({ databaseUrl, rootToken, pepper: "p".repeat(32), log: () => undefined })).close();
    const sqlite = new Database(databaseUrl.slice("sqlite:".length));
    sqlite.prepare("UPDATE settings SET value = ? WHERE name = 'pepper_fingerprint'").run(pepperFingerprint(short));
    sqlite.close();
    const logs: Record<string, unknown>[] = [];
    const server = await startServer({ databaseUrl, rootToken, pepper: short, log: (line) => logs.push(line) });
    expect((await callApi(server.url, "GET", "/v1/me", { token: rootToken })).status).toBe(200);
    await server.close();
    expect(logs.find((line) => line.level === "warn")?.message).toMatch(/APIKEYS_PEPPER is shorter than 32 characters/);
    expect(JSON.stringify(logs)).not.toContain(short);
  });

  test("a database started with APIKEYS_PEPPER refuses a start with another pepper or none, and the error never shows either pepper", async () => {
    const databaseUrl = `sqlite:${join(dir, "db.sqlite")}`;
    const pepper = "the-operators-pepper-0123456789abcdef";
    await (await startServer({ databaseUrl, rootToken, pepper, log: () => undefined })).close();
    const wrong = "another-pepper-0123456789abcdefghijkl";
    const error = await startServer({ databaseUrl, rootToken, pepper: wrong, log: () => undefined }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/not the pepper/);
    expect(error?.message).not.toContain(pepper);
    expect(error?.message).not.toContain(wrong);
    await expect(startServer({ databaseUrl, rootToken, log: () => undefined })).rejects.toThrow(/set APIKEYS_PEPPER to it again/);
    await (await startServer({ databaseUrl, rootToken, pepper, log: () => undefined })).close();
  });
});
