import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exitOf, startCli } from "../helpers/serverCli";
import { callApi } from "../helpers/testServer";

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

  test("a bad setting is refused with the flag named", async () => {
    await expect(startCli({ APIKEYS_PORT: "eighty", DATABASE_URL: `sqlite:${join(dir, "db.sqlite")}` })).rejects.toThrow(/--port \/ APIKEYS_PORT must be a port number, got "eighty"/);
    await expect(startCli({ DATABASE_URL: "mysql://x" })).rejects.toThrow(/DATABASE_URL must start with sqlite: or postgres:\/\//);
  });
});
