import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EngineStack } from "../helpers/engine";
import { startJupyterHub, type JupyterHub } from "../helpers/jupyterHub";
import { JUPYTERHUB_DESCRIPTION } from "../vendors/harnesses";

jest.setTimeout(240_000);

const CLI = resolve(__dirname, "../../dist/review/cli.js");
const NAME = "read:users:name!user=alice";

/**
 * `pulumi-apikeys review` of a real `pulumi preview --json` in which keys of JupyterHub's description
 * gain scopes: the scopes are their privileges, rated by the description's `risks`.
 */
describe("review of a scope change on a described API (JupyterHub, the real engine)", () => {
  let hub: JupyterHub;
  let stack: EngineStack;
  let dir: string;
  let rated: string;
  let previewText: string;

  beforeAll(async () => {
    hub = await startJupyterHub();
    dir = mkdtempSync(join(tmpdir(), "described-review-"));
    mkdirSync(join(dir, ".git"));
    rated = join(dir, "hub.yaml");
    writeFileSync(
      rated,
      `${readFileSync(JUPYTERHUB_DESCRIPTION, "utf8")}\nrisks:\n  "admin:*": { risk: high, reason: "administers the hub's users, servers and groups" }\n  "read:users:name*": { risk: low, reason: "reads user names" }\n`,
    );
    stack = await EngineStack.create({
      name: "described-review",
      endpoint: hub.apiUrl,
      organizationId: "jupyterhub",
      token: hub.adminToken,
      config: { "apikeys:backend": { value: "http" }, "apikeys:api": { value: rated } },
    });
    // One key names its description itself (the preview shows it), the other takes it from stack config.
    stack.keys = { "notebook-bot": { scopes: [NAME], connection: { api: rated } }, "lab-bot": { scopes: [NAME] } };
    await stack.up();
    stack.keys = {
      "notebook-bot": { scopes: [NAME, "admin:users"], connection: { api: rated } },
      "lab-bot": { scopes: [NAME, "admin:groups"] },
    };
    previewText = (await stack.previewJson()).text;
  }, 200_000);
  afterAll(async () => {
    await stack?.destroy();
    await stack?.dispose();
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const review = (args: string[]) => {
    const run = spawnSync(process.execPath, [CLI, "review", ...args], {
      cwd: dir,
      input: previewText,
      encoding: "utf8",
      env: { PATH: process.env.PATH, NO_COLOR: "1" },
    });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  test("the added scope is the key's new privilege, rated high by the description its connection names; --fail-on high fails", () => {
    const run = review(["--format", "json"]);
    expect(run.stderr).toBe("");
    const changes = (JSON.parse(run.stdout) as { changes: { name: string; operation: string; scopesAdded: string[]; scopeRisks: unknown[] }[] }).changes;
    const bot = changes.find((c) => c.name === "notebook-bot")!;
    // JupyterHub has no update: other scopes replace the token.
    expect(bot).toMatchObject({ operation: "replace", scopesAdded: ["admin:users"], scopesRemoved: [] });
    expect(bot.scopeRisks).toEqual([
      { scope: "admin:users", risk: "high", reason: "administers the hub's users, servers and groups", source: `jupyterhub description (${rated})` },
    ]);
    const markdown = review([]).stdout;
    expect(markdown).toMatch(
      /\| notebook-bot \| \*\*replace\*\* \| .*`admin:users` \(scope\).*⛔ high: grants scope admin:users — administers the hub's users, servers and groups/,
    );
    expect(review(["--fail-on", "high"]).code).toBe(2);
  });

  test("a key whose description comes from stack config: its scope is unknown (nothing in the preview names the file), and rated once --api names it", () => {
    const lab = (args: string[]) =>
      (JSON.parse(review(["--format", "json", ...args]).stdout) as { changes: { name: string; scopeRisks: { risk: string }[] }[] }).changes.find(
        (c) => c.name === "lab-bot",
      )!;
    expect(lab([]).scopeRisks).toEqual([expect.objectContaining({ scope: "admin:groups", risk: "unknown" })]);
    expect(review([]).stdout).toContain("scope admin:groups: risk unknown");
    expect(lab(["--api", rated]).scopeRisks).toEqual([expect.objectContaining({ scope: "admin:groups", risk: "high" })]);
  });
});
