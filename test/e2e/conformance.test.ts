import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { startJupyterHub, type JupyterHub } from "../helpers/jupyterHub";
import { startStrapi, type StrapiServer } from "../helpers/strapi";
import { JUPYTERHUB_DESCRIPTION } from "../vendors/harnesses";
import { STRAPI_DESCRIPTION, STRAPI_SCOPE, strapiTokens } from "../vendors/strapiHarness";

jest.setTimeout(240_000);

const CLI = resolve(__dirname, "../../dist/review/cli.js");

/** The built CLI as a child process (e2e programs use dist/: `npx tsc -p tsconfig.json` first). */
function conformance(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, "conformance", ...args], {
      env: { PATH: process.env.PATH, APIKEYS_RETRY_BASE_MS: "5", APIKEYS_RETRY_MAX_MS: "20", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

interface Result {
  behaviour: string;
  outcome: string;
  detail: string;
}
const outcomes = (stdout: string) => Object.fromEntries((JSON.parse(stdout) as { results: Result[] }).results.map((r) => [r.behaviour, r.outcome] as const));

/**
 * `pulumi-apikeys conformance`: the kit a team runs against its own description, here against the two
 * real key servers the project's descriptions are for, and against a description that does not fit.
 */
describe("pulumi-apikeys conformance, the built CLI against real key servers", () => {
  let hub: JupyterHub;
  let strapi: StrapiServer;
  let dir: string;

  beforeAll(async () => {
    // One after the other: a failed start leaves nothing running that afterAll cannot stop.
    hub = await startJupyterHub();
    strapi = await startStrapi({ encryptionKey: false });
    dir = mkdtempSync(join(tmpdir(), "conformance-"));
  }, 180_000);
  afterAll(async () => {
    await hub?.stop();
    await strapi?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("JupyterHub: create, read, delete pass; update, disable and roll are not supported, each with what the provider does instead; no token left", async () => {
    const run = await conformance(["--api", JUPYTERHUB_DESCRIPTION, "--endpoint", hub.apiUrl, "--token-env", "HUB_TOKEN", "--format", "json"], {
      HUB_TOKEN: hub.adminToken,
    });
    expect(run.stderr).toBe("");
    expect(outcomes(run.stdout)).toEqual({
      create: "passed",
      read: "passed",
      "update in place": "not supported",
      disable: "not supported",
      rotation: "not supported",
      delete: "passed",
    });
    expect(run.code).toBe(0);
    const results = (JSON.parse(run.stdout) as { results: Result[] }).results;
    expect(results.find((r) => r.behaviour === "rotation")!.detail).toMatch(/no roll; instead a rotation makes a new key .* the old one is deleted/);
    expect(results.find((r) => r.behaviour === "update in place")!.detail).toContain("replaces the key");
    expect(run.stdout).not.toContain(hub.adminToken);
    expect(await hub.tokens()).toEqual([]);
  });

  test("Strapi: every behaviour it has passes (update in place and roll among them), disabling is not supported; the text report; no token left", async () => {
    const run = await conformance(["--api", STRAPI_DESCRIPTION, "--endpoint", `${strapi.url}/admin`, "--scope", STRAPI_SCOPE], {
      STRAPI_ADMIN_JWT: strapi.adminJwt,
    });
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^passed +create /m);
    expect(run.stdout).toMatch(/^passed +update in place +displayName changed in place by PUT/m);
    expect(run.stdout).toMatch(/^passed +rotation +POST \/api-tokens\/\{id\}\/regenerate: a new secret on key \d+ \(same id\); no grace/m);
    expect(run.stdout).toMatch(/^not supported +disable /m);
    expect(run.stdout).toMatch(/^passed +delete /m);
    expect(run.stdout).toContain("5 passed, 1 not supported, 0 failed, 0 not run");
    expect(run.stdout).not.toContain(strapi.adminJwt);
    expect(run.code).toBe(0);
    // Strapi makes its own two default tokens at start: none of the kit's is left beside them.
    expect((await strapiTokens(strapi)).filter((token) => token.name.startsWith("pulumi-apikeys conformance"))).toEqual([]);
  });

  test("a description whose secret pointer matches nothing: create fails naming the pointer, the rest is not run, exit 1, nothing left behind", async () => {
    const description = parse(readFileSync(JUPYTERHUB_DESCRIPTION, "utf8")) as Record<string, Record<string, unknown>>;
    description.answer.secret = "/access_token";
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, stringify(description));
    const run = await conformance(["--api", broken, "--endpoint", hub.apiUrl], { JUPYTERHUB_API_TOKEN: hub.adminToken });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAILED +create +.*answer\.secret "\/access_token"/m);
    expect(run.stdout).toMatch(/^not run +delete +the create failed/m);
    expect(run.stdout).toContain("0 passed, 0 not supported, 1 failed, 5 not run");
    expect(run.stdout).not.toContain(hub.adminToken);
    expect(await hub.tokens()).toEqual([]);
  });

  test("usage mistakes are named: no --api, a --token-env that is not set", async () => {
    const missing = await conformance([], {});
    expect(missing).toMatchObject({ code: 64, stderr: expect.stringContaining("--api is required") });
    const unset = await conformance(["--api", JUPYTERHUB_DESCRIPTION, "--token-env", "NOT_SET_HERE"], {});
    expect(unset).toMatchObject({ code: 64, stderr: expect.stringContaining("the environment variable NOT_SET_HERE is not set") });
  });
});
