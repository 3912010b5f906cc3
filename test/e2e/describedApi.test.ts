import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { cliProject } from "../helpers/cliProject";
import { EngineStack } from "../helpers/engine";
import { startJupyterHub, type JupyterHub } from "../helpers/jupyterHub";
import { nativePluginSettings } from "../helpers/nativePlugin";
import { waitUntil } from "../helpers/waitUntil";
import { JUPYTERHUB_DESCRIPTION } from "../vendors/harnesses";

jest.setTimeout(240_000);

const scope = "read:users:name!user=alice";

/**
 * JupyterHub, a key server nobody here wrote, managed on the real Pulumi engine through its
 * description file alone (examples/key-apis/jupyterhub.yaml): both providers, the secret checked
 * against the hub itself (GET /hub/api/user), rotation through the stack's grace, drift, import,
 * destroy; and a wrong description stopping the preview before any token is made.
 */
describe("a key API described in a file, on a real JupyterHub and the real engine", () => {
  let hub: JupyterHub;
  const stacks: EngineStack[] = [];
  let dir: string;

  beforeAll(async () => {
    hub = await startJupyterHub();
    dir = mkdtempSync(join(tmpdir(), "described-e2e-"));
  }, 90_000);
  afterAll(async () => {
    for (const stack of stacks) await stack.dispose();
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    // Each case leaves the hub as it found it: no tokens.
    for (const token of await hub.tokens()) await hub.api("DELETE", `/users/${hub.user}/tokens/${token.id}`);
  });

  /** A stack whose stack config picks the http backend and a description; the hub's service token is apikeys:token. */
  const describedStack = async (name: string, api: string, native = false) => {
    const stack = await EngineStack.create({
      name,
      endpoint: hub.apiUrl,
      organizationId: "jupyterhub",
      token: hub.adminToken,
      config: { "apikeys:backend": { value: "http" }, "apikeys:api": { value: api } },
      ...(native ? { plugins: nativePluginSettings() } : {}),
    });
    if (native) stack.resourceClass = "NativeApiKey";
    stacks.push(stack);
    return stack;
  };

  const pendingOf = async (stack: EngineStack, name: string) => {
    const resource = (await stack.resources()).find((r) => r.urn.endsWith(`::${name}`));
    return (resource?.outputs?.pendingRevocations ?? []) as { keyId: string; revokeAfter: string }[];
  };

  test("dynamic ApiKey: create, the secret works on the hub, rotation keeps both through the grace, drift is repaired, destroy; no secret in the state", async () => {
    const stack = await describedStack("described-jupyterhub", JUPYTERHUB_DESCRIPTION);
    const declare = (trigger: string) => ({
      notebook: { displayName: "ci notebook", scopes: [scope], lifetime: "P30D", rotation: { trigger, gracePeriodSeconds: 5 } },
    });
    stack.keys = declare("1");
    const created = await stack.up();
    const first = { id: created.outputs["notebook.keyId"].value as string, secret: created.outputs["notebook.secret"].value as string };
    expect(await hub.authenticates(first.secret)).toBe(true);
    expect(await hub.tokens()).toEqual([expect.objectContaining({ id: first.id, note: "ci notebook" })]);

    // Rotation: JupyterHub has no roll, so a successor first; the old token works through the grace.
    stack.keys = declare("2");
    const rotated = await stack.up();
    expect(rotated.summary.resourceChanges).toMatchObject({ update: 1 });
    const second = { id: rotated.outputs["notebook.keyId"].value as string, secret: rotated.outputs["notebook.secret"].value as string };
    expect(second.id).not.toBe(first.id);
    expect(await hub.authenticates(second.secret)).toBe(true);
    expect(await hub.authenticates(first.secret)).toBe(true);
    const [pending] = await pendingOf(stack, "notebook");
    expect(pending).toMatchObject({ keyId: first.id });

    // The hub has no clock to move: wait out the 5 s grace, then the next up deletes the old token.
    await waitUntil("the grace period to end", () => Date.now() > Date.parse(pending.revokeAfter), { timeoutMs: 30_000, intervalMs: 250 });
    const revoked = await stack.up();
    expect(revoked.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(await hub.authenticates(first.secret)).toBe(false);
    expect(await hub.authenticates(second.secret)).toBe(true);
    expect(await pendingOf(stack, "notebook")).toEqual([]);
    expect((await hub.tokens()).map((t) => t.id)).toEqual([second.id]);

    // Drift: the token is deleted outside Pulumi; refresh finds it gone and up makes a new one.
    await hub.api("DELETE", `/users/${hub.user}/tokens/${second.id}`);
    await stack.refresh();
    const repaired = await stack.up();
    expect(repaired.summary.resourceChanges).toMatchObject({ create: 1 });
    const third = repaired.outputs["notebook.secret"].value as string;
    expect(await hub.authenticates(third)).toBe(true);
    expect(await hub.tokens()).toHaveLength(1);

    // Secrets and the hub's service token are only ciphertext in the state files, and absent from the output.
    const state = stack.exportedState();
    for (const secret of [first.secret, second.secret, third, hub.adminToken]) {
      expect(state).not.toContain(secret);
      expect(stack.log.join("\n")).not.toContain(secret);
    }
    await stack.destroy();
    expect(await hub.tokens()).toEqual([]);
    expect(await hub.authenticates(third)).toBe(false);
  });

  test("native provider: a token made outside Pulumi is imported (its secret still works), a declared one is created and works, destroy deletes both", async () => {
    const stack = await describedStack("described-jupyterhub-native", JUPYTERHUB_DESCRIPTION, true);
    const made = (await hub.api("POST", `/users/${hub.user}/tokens`, { body: { note: "made by hand", scopes: [scope] } })).body as {
      id: string;
      token: string;
    };
    const imported = await stack.import({ resources: [{ type: "apikeys:index:ApiKey", name: "legacy", id: made.id }], protect: false, generateCode: false });
    expect(imported.summary.resourceChanges).toMatchObject({ import: 1 });
    const legacy = (await stack.resources()).find((r) => r.urn.endsWith("::legacy"));
    expect(legacy).toMatchObject({ id: made.id, outputs: { keyId: made.id, secretAvailable: false, displayName: "made by hand", backend: "http" } });
    expect(await hub.authenticates(made.token)).toBe(true);

    // The program now declares the imported token as it is (its scopes, which JupyterHub does not
    // answer as sent, left out): managed from here on, not replaced.
    stack.keys = { legacy: { displayName: "made by hand" }, notebook: { displayName: "native notebook", scopes: [scope] } };
    const up = await stack.up();
    expect(up.summary.resourceChanges).not.toHaveProperty("replace");
    expect(up.outputs["legacy.keyId"].value).toBe(made.id);
    expect(await hub.authenticates(made.token)).toBe(true);
    const secret = up.outputs["notebook.secret"].value as string;
    expect(await hub.authenticates(secret)).toBe(true);
    expect(stack.exportedState()).not.toContain(secret);
    await stack.destroy();
    expect(await hub.tokens()).toEqual([]);
  });

  test("a Pulumi YAML program: connection.api relative to the project, the native plugin started from it; up, the secret works, destroy", async () => {
    const program = [
      "name: hub-keys",
      "runtime: yaml",
      "plugins:",
      "  providers:",
      "    - name: apikeys",
      "      path: ./node_modules/pulumi-apikeys/bin",
      "resources:",
      "  notebook:",
      "    type: apikeys:ApiKey",
      "    properties:",
      "      displayName: from yaml",
      `      scopes: ["${scope}"]`,
      "      connection:",
      "        backend: http",
      "        api: key-apis/jupyterhub.yaml",
      "outputs:",
      "  secret: ${notebook.secret}",
      "",
    ].join("\n");
    const project = await cliProject(join(dir, "yaml-project"), { "Pulumi.yaml": program });
    mkdirSync(join(project.dir, "key-apis"));
    writeFileSync(join(project.dir, "key-apis", "jupyterhub.yaml"), readFileSync(JUPYTERHUB_DESCRIPTION, "utf8"));
    await project.pulumi(["stack", "init", "dev"]);
    await project.pulumi(["config", "set", "apikeys:endpoint", hub.apiUrl]);
    await project.pulumi(["config", "set", "--secret", "apikeys:token", hub.adminToken]);
    await project.pulumi(["up", "--yes", "--skip-preview"]);
    const { secret } = JSON.parse((await project.pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as { secret: string };
    expect(await hub.authenticates(secret)).toBe(true);
    expect(await hub.tokens()).toEqual([expect.objectContaining({ note: "from yaml" })]);
    expect(project.stateText()).not.toContain(secret);
    await project.pulumi(["destroy", "--yes", "--skip-preview"]);
    expect(await hub.tokens()).toEqual([]);
  });

  /** The example with one change, written where the stack reads it. */
  const wrongDescription = (name: string, change: (description: Record<string, unknown>) => void) => {
    const description: Record<string, unknown> = parse(readFileSync(JUPYTERHUB_DESCRIPTION, "utf8"));
    change(description);
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, stringify(description));
    return file;
  };

  test("each wrong description fails preview (and up) naming the field, and no token is made", async () => {
    const cases: [string, (d: Record<string, unknown>) => void, string][] = [
      ["no create request", (d) => delete d.create, "has a wrong create: it is missing"],
      ["an unknown auth kind", (d) => (d.auth = { kind: "digest" }), "has a wrong auth.kind: it is not a known auth kind"],
      ["a plain-http URL outside loopback", (d) => (d.baseUrl = "http://hub.example.com/hub/api"), "has a wrong baseUrl"],
      ["a secret pointer the read answer uses for the name", (d) => (d.answer = { ...(d.answer as object), secret: "/note" }), "has a wrong answer.secret"],
    ];
    // One stack, its apikeys:api pointed at each wrong file in turn.
    const stack = await describedStack("described-wrong", wrongDescription("first", cases[0][1]));
    stack.keys = { notebook: { displayName: "ci notebook", scopes: [scope] } };
    for (const [name, change, problem] of cases) {
      const file = wrongDescription(name.replace(/\W+/g, "-"), change);
      await stack.stack.setConfig("apikeys:api", { value: file });
      const failed = String(await stack.preview().catch((error: Error) => error));
      expect({ name, failed }).toEqual({ name, failed: expect.stringContaining(`connection.api`) });
      expect({ name, failed }).toEqual({ name, failed: expect.stringContaining(`the key API description ${file} ${problem}`) });
    }
    // `up` runs the same check first: it stops there too.
    await expect(stack.up()).rejects.toThrow("has a wrong answer.secret");
    expect(await hub.tokens()).toEqual([]);
  });
});
