import type { EngineStack } from "../helpers/engine";
import { dynamicAndNative, startServerAndStack } from "../helpers/engineFixture";
import { liveKeys, searchPrivilege, type TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";
import { runReview } from "../../review/cli";

jest.setTimeout(300_000);

interface LogLine {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly actor?: string;
}

/**
 * The pull-request job's token: an admin token with scope "read" is enough for `pulumi preview`
 * (which calls the key API not once: check and diff are local), for the review of that preview and
 * for `pulumi refresh` (GETs only); `pulumi up` with it is refused with the scope it needs, and
 * nothing changes on the server. The token comes from APIKEYS_TOKEN, as in CI: a deploy job and a
 * preview job of one stack each bring their own (docs/consumers.md, "Tokens for CI").
 */
describe.each(dynamicAndNative)("a read-only admin token on the real engine: $resourceClass", ({ resourceClass, plugins }) => {
  let server: TestServer;
  let org: TestOrganization;
  let stack: EngineStack;
  let close: () => Promise<void>;
  let readToken: { id: string; token: string };
  const useToken = (token: string) => (stack.stack.workspace.envVars.APIKEYS_TOKEN = token);
  const requestsSince = (start: number): LogLine[] => server.logs.slice(start).map((line) => JSON.parse(line) as LogLine);
  const keysRequests = (lines: LogLine[]) => lines.filter((l) => l.path.startsWith(`/v1/organizations/${org.id}/keys`));
  const displayNames = async () => {
    const listed = await server.api("GET", `/v1/organizations/${org.id}/keys?limit=200`, { token: org.token });
    return (listed.body.items as Array<{ displayName: string; status: string }>).filter((k) => k.status !== "revoked").map((k) => k.displayName);
  };

  beforeAll(async () => {
    ({ server, org, stack, close } = await startServerAndStack({ name: `read-only-${resourceClass}`, resourceClass, plugins }));
    // As in CI: no token in the stack config, each job's own in APIKEYS_TOKEN (config would win over it).
    await stack.stack.removeConfig("apikeys:token");
    useToken(org.token);
    stack.keys = { search: { displayName: "search v1", privileges: [searchPrivilege] } };
    await stack.up();
    const issued = await server.api("POST", `/v1/organizations/${org.id}/tokens`, { token: org.token, body: { name: "pull-request preview", scope: "read" } });
    expect(issued.status).toBe(201);
    readToken = { id: issued.body.id, token: issued.body.token };
  });
  afterAll(async () => close?.());

  test("preview passes with it and calls the key API not once; the review of that preview works", async () => {
    useToken(readToken.token);
    stack.keys = {
      search: { displayName: "search v2", privileges: [searchPrivilege] },
      extra: { displayName: "extra", privileges: [searchPrivilege] },
    };
    const before = server.logs.length;
    const preview = await stack.preview();
    expect(preview.changeSummary).toMatchObject({ update: 1, create: 1 });
    expect(requestsSince(before)).toEqual([]);
    const { text } = await stack.previewJson();
    const out: string[] = [];
    const code = runReview(["review"], { stdin: () => text, stdout: (s) => out.push(s), stderr: () => undefined, cwd: stack.workDir });
    expect(code).toBe(0);
    expect(out.join("")).toMatch(/\| extra \| create/);
    expect(requestsSince(before)).toEqual([]);
  });

  test("refresh works with it: GETs only, every one made by the read-only token", async () => {
    useToken(readToken.token);
    const before = server.logs.length;
    await stack.refresh();
    const requests = keysRequests(requestsSince(before));
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.map((r) => `${r.method} ${r.status} ${r.actor}`)).toEqual(requests.map(() => `GET 200 ${readToken.id}`));
  });

  test("up is refused naming the scope it needs; nothing changes on the server", async () => {
    useToken(readToken.token);
    const before = server.logs.length;
    const failed = await stack.up().catch((error: Error) => error);
    expect(failed).toBeInstanceOf(Error);
    expect(String((failed as Error).message)).toContain('this admin token is read-only (scope "read"); use a token with scope "manage" to make changes');
    expect(String((failed as Error).message)).not.toContain(readToken.token);
    expect(keysRequests(requestsSince(before)).every((r) => r.status === 403 && r.actor === readToken.id)).toBe(true);
    expect(await displayNames()).toEqual(["search v1"]);
  });

  test("the deploy job's manage token then applies the same change; no token is in the state", async () => {
    useToken(org.token);
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1, create: 1 });
    expect((await displayNames()).sort()).toEqual(["extra", "search v2"]);
    const state = stack.exportedState();
    expect(state).not.toContain(org.token);
    expect(state).not.toContain(readToken.token);
    await stack.destroy();
    expect(await liveKeys(server, org)).toEqual([]);
  });
});
