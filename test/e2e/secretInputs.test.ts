import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as apikeysModule from "../../provider";
import { cliProject, pythonSdkEnv, type CliProject } from "../helpers/cliProject";
import { dynamicAndNative, startServerAndStack, type ServerAndStack } from "../helpers/engineFixture";
import { searchPrivilege, whoami } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/testServer";

jest.setTimeout(300_000);

/**
 * The values a stack marks secret, each unique to the run, so finding one anywhere in the state
 * directory (stack files, backups, history checkpoints) means it was written in plain text.
 */
function markedValues(server: TestServer, organizationId: string) {
  const run = randomBytes(4).toString("hex");
  return {
    displayName: `secret-name-${run}`,
    description: `secret-description-${run}`,
    note: `secret-note-${run}`,
    targetId: `secret-target-${run}`,
    // Stored normalized (…07.000Z): the search looks for the part both forms share.
    expiresAt: `2031-03-04T05:06:${String(run.charCodeAt(0) % 60).padStart(2, "0")}Z`,
    organizationId,
    endpoint: server.url,
  };
}
type Marked = ReturnType<typeof markedValues>;

/** The marked values found in `text` (an ISO time by its seconds-precision prefix). */
function leaked(text: string, marked: Marked): string[] {
  return Object.entries(marked)
    .filter(([name, value]) => text.includes(name === "expiresAt" ? value.slice(0, 19) : value))
    .map(([name]) => name);
}

/**
 * Every input field given as a Pulumi secret, on the real engine, for both providers and in three
 * languages: after `up`, `refresh`, a rotation (a new trigger replaces the key) and `destroy`, none
 * is in plain text in any file the file backend wrote. The connection's organizationId and endpoint
 * are secret in stack config too (otherwise the provider's own inputs would hold them in plain text).
 */
describe.each(dynamicAndNative)("secret inputs of a TypeScript $resourceClass stay encrypted in state", ({ resourceClass, plugins }) => {
  let fixture: ServerAndStack;
  let marked: Marked;
  let trigger = "first";
  beforeAll(async () => {
    fixture = await startServerAndStack({
      name: `secret-inputs-${resourceClass}`,
      plugins,
      program: async () => {
        const apikeys: typeof apikeysModule = require("pulumi-apikeys");
        const key = new apikeys[resourceClass]("marked", {
          displayName: pulumi.secret(marked.displayName),
          description: pulumi.secret(marked.description),
          metadata: { team: "web", note: pulumi.secret(marked.note) },
          privileges: [{ ...searchPrivilege, targetIds: [pulumi.secret(marked.targetId)] }],
          expiresAt: pulumi.secret(marked.expiresAt),
          connection: { organizationId: pulumi.secret(marked.organizationId), endpoint: pulumi.secret(marked.endpoint) },
          rotation: { trigger, gracePeriodSeconds: 60 },
        });
        return { keyId: key.keyId, secret: key.secret };
      },
    });
    const { server, org, stack } = fixture;
    marked = markedValues(server, org.id);
    await stack.stack.setAllConfig({
      "apikeys:organizationId": { value: org.id, secret: true },
      "apikeys:endpoint": { value: server.url, secret: true },
    });
  });
  afterAll(async () => fixture?.close());

  test("up, refresh, a rotation and destroy write none of them in plain text", async () => {
    const { server, stack } = fixture;
    const up = await stack.up();
    expect((await whoami(server, up.outputs.secret.value)).body.keyId).toBe(up.outputs.keyId.value);
    // The key really carries the secret values (they were not dropped on the way).
    const made = await server.api("GET", `/v1/organizations/${marked.organizationId}/keys/${up.outputs.keyId.value}`, { token: fixture.org.token });
    expect(made.body).toMatchObject({ displayName: marked.displayName, description: marked.description });
    expect(leaked(stack.exportedState(), marked)).toEqual([]);

    await stack.refresh();
    expect(leaked(stack.exportedState(), marked)).toEqual([]);

    trigger = "second";
    const rotated = await stack.up();
    expect(rotated.outputs.keyId.value).not.toBe(up.outputs.keyId.value);
    expect(leaked(stack.exportedState(), marked)).toEqual([]);

    await stack.destroy();
    expect(leaked(stack.exportedState(), marked)).toEqual([]);
    expect(leaked(stack.log.join("\n"), marked)).toEqual([]);
  });
});

/** The same declaration in Pulumi YAML (`fn::secret`) and in Python (`pulumi.Output.secret`). */
const PROGRAMS: Record<string, { files(marked: Marked): Record<string, string>; prepare?: typeof pythonSdkEnv }> = {
  YAML: {
    files: (m) => ({
      "Pulumi.yaml": `name: secret-inputs-yaml
runtime: yaml
plugins:
  providers:
    - name: apikeys
      path: ./node_modules/pulumi-apikeys/bin
config:
  trigger:
    type: string
    default: first
  markedOrganization:
    type: string
  markedEndpoint:
    type: string
resources:
  marked:
    type: apikeys:ApiKey
    properties:
      displayName:
        fn::secret: ${m.displayName}
      description:
        fn::secret: ${m.description}
      metadata:
        team: web
        note:
          fn::secret: ${m.note}
      privileges:
        - owner: ${searchPrivilege.owner}
          targetDomain: ${searchPrivilege.targetDomain}
          type: ${searchPrivilege.type}
          targetIds:
            - fn::secret: ${m.targetId}
      expiresAt:
        fn::secret: "${m.expiresAt}"
      connection:
        organizationId: \${markedOrganization}
        endpoint: \${markedEndpoint}
      rotation:
        trigger: \${trigger}
        gracePeriodSeconds: 60
outputs:
  keyId: \${marked.keyId}
  secret: \${marked.secret}
`,
    }),
  },
  Python: {
    prepare: pythonSdkEnv,
    files: (m) => ({
      "Pulumi.yaml": `name: secret-inputs-python
runtime: python
plugins:
  providers:
    - name: apikeys
      path: ./node_modules/pulumi-apikeys/bin
`,
      "__main__.py": `import pulumi
import pulumi_apikeys as apikeys

config = pulumi.Config()
secret = pulumi.Output.secret
marked = apikeys.ApiKey(
    "marked",
    display_name=secret("${m.displayName}"),
    description=secret("${m.description}"),
    metadata={"team": "web", "note": secret("${m.note}")},
    privileges=[apikeys.PrivilegeArgs(owner="${searchPrivilege.owner}", target_domain="${searchPrivilege.targetDomain}", type="${searchPrivilege.type}", target_ids=[secret("${m.targetId}")])],
    expires_at=secret("${m.expiresAt}"),
    connection=apikeys.ConnectionArgs(organization_id=config.require_secret("markedOrganization"), endpoint=config.require_secret("markedEndpoint")),
    rotation=apikeys.RotationArgs(trigger=config.get("trigger") or "first", grace_period_seconds=60),
)
pulumi.export("keyId", marked.key_id)
pulumi.export("secret", marked.secret)
`,
    }),
  },
};

describe.each(Object.entries(PROGRAMS))("secret inputs of a %s program stay encrypted in state", (_language, program) => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer("sqlite");
    dir = mkdtempSync(join(tmpdir(), "apikeys-secret-inputs-"));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("up, refresh, a rotation and destroy write none of them in plain text", async () => {
    const org = await server.createOrganization();
    const marked = markedValues(server, org.id);
    const project: CliProject = await cliProject(join(dir, "project"), program.files(marked), program.prepare);
    const { pulumi: cli } = project;
    const logs: string[] = [];
    const logged = async (args: string[]) => {
      const result = await cli(args);
      logs.push(result.stdout, result.stderr);
      return result;
    };
    await cli(["stack", "init", "dev"]);
    for (const [key, value] of [
      ["apikeys:endpoint", server.url],
      ["apikeys:organizationId", org.id],
      ["apikeys:token", org.token],
      ["markedOrganization", org.id],
      ["markedEndpoint", server.url],
    ]) {
      await cli(["config", "set", "--secret", key, value]);
    }
    const outputs = async () => JSON.parse((await cli(["stack", "output", "--json", "--show-secrets"])).stdout) as { keyId: string; secret: string };

    await logged(["up", "--yes", "--skip-preview"]);
    const first = await outputs();
    expect((await whoami(server, first.secret)).body.keyId).toBe(first.keyId);
    const made = await server.api("GET", `/v1/organizations/${org.id}/keys/${first.keyId}`, { token: org.token });
    expect(made.body).toMatchObject({ displayName: marked.displayName, description: marked.description });
    expect(leaked(project.stateText(), marked)).toEqual([]);

    await logged(["refresh", "--yes", "--skip-preview"]);
    expect(leaked(project.stateText(), marked)).toEqual([]);

    await cli(["config", "set", "trigger", "second"]);
    await logged(["up", "--yes", "--skip-preview"]);
    expect((await outputs()).keyId).not.toBe(first.keyId);
    expect(leaked(project.stateText(), marked)).toEqual([]);

    await logged(["destroy", "--yes", "--skip-preview"]);
    expect(leaked(project.stateText(), marked)).toEqual([]);
    expect(leaked(logs.join("\n"), marked)).toEqual([]);
  });
});
