import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exitOf, startCli } from "../helpers/serverCli";
import { callApi } from "../helpers/testServer";
import { waitUntil } from "../helpers/waitUntil";

describe("apikeys-server, the command", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "apikeys-cli-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("generates and prints a root token once at first start; it works; SIGTERM stops the server cleanly", async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}` };
    const first = await startCli(env);
    const token = first.stderr().match(/Root token \(shown once, store it now\): (rt_\w+)/)?.[1];
    expect(token).toBeDefined();
    const org = await callApi(first.url, "POST", "/v1/organizations", { token, body: { name: "acme" } });
    expect(org.status).toBe(201);
    expect(first.stdout()).not.toContain(token!);
    first.child.kill("SIGTERM");
    expect(await exitOf(first.child)).toBe(0);
    expect(first.stdout()).toContain('"msg":"stopping","signal":"SIGTERM"');

    const second = await startCli(env);
    expect(second.stderr()).not.toContain("Root token");
    expect((await callApi(second.url, "POST", "/v1/organizations", { token, body: { name: "again" } })).status).toBe(201);
    second.child.kill("SIGTERM");
    expect(await exitOf(second.child)).toBe(0);
  });

  test("request log lines are written in batches: each of 300 concurrent requests logged exactly once, all out by a clean exit", async () => {
    const cli = await startCli({ DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}` });
    const requests = 300;
    await Promise.all(Array.from({ length: requests }, (_, i) => callApi(cli.url, "GET", `/healthz?n=${i}`)));
    cli.child.kill("SIGTERM");
    expect(await exitOf(cli.child)).toBe(0);
    const logged = cli
      .stdout()
      .split("\n")
      .filter((line) => line.includes('"path":"/healthz"'))
      .map((line) => JSON.parse(line));
    expect(logged).toHaveLength(requests);
    expect(new Set(logged.map((l) => l.requestId)).size).toBe(requests);
  });

  test("a bad setting is refused with the flag named", async () => {
    await expect(startCli({ APIKEYS_PORT: "eighty", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}` })).rejects.toThrow(
      /--port \/ APIKEYS_PORT: must be a whole number of a TCP port.*\(got "eighty"\)/,
    );
    await expect(startCli({ DATABASE_URL: "mysql://x" })).rejects.toThrow(/DATABASE_URL: must start with sqlite: or postgres:\/\//);
  });

  test("a client that hangs up mid-body is logged as a client abort (499), not as a server error", async () => {
    // The real command in its own process: under jest the request body stream never ends for a
    // destroyed socket, which is jest's doing, not the server's.
    const rootToken = "rt_cli_abort_test_root_token_0123456789";
    const cli = await startCli({ DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}`, APIKEYS_ROOT_TOKEN: rootToken });
    try {
      const org = (await callApi(cli.url, "POST", "/v1/organizations", { token: rootToken, body: { name: "acme" } })).body;
      const url = new URL(cli.url);
      await new Promise<void>((resolve) => {
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            `POST /v1/organizations/${org.id}/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${org.token}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"displayName":`,
          );
          setTimeout(() => (socket.destroy(), resolve()), 200);
        });
      });
      const logged = () =>
        cli
          .stdout()
          .split("\n")
          .filter((l) => l.includes(`/v1/organizations/${org.id}/keys`));
      await waitUntil("the request's log line", () => logged().length > 0, { timeoutMs: 2000 });
      expect(logged()).toHaveLength(1);
      expect(logged()[0]).toContain('"status":499');
      expect(cli.stdout()).not.toContain('"level":"error"');
      expect(cli.stdout()).not.toContain(org.token);
    } finally {
      cli.child.kill("SIGTERM");
      await exitOf(cli.child);
    }
  });
});
