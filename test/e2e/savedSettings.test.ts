import type { EngineStack } from "../helpers/engine";
import { dynamicAndNative, startServerAndStack } from "../helpers/engineFixture";
import type { FaultProxy } from "../helpers/faultProxy";
import { liveKeys, type TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(300_000);

const ADVICE =
  /if the key server moved or the admin token changed since the last `pulumi up`, run `pulumi up` first, or `pulumi refresh --run-program` \/ `pulumi destroy --run-program`: refresh and destroy use the settings saved by the last update/;

/**
 * Pulumi's engine configures providers for `refresh` and `destroy` from the settings the last update
 * saved, not from the current stack config. After the key server moved (new `apikeys:endpoint`) or
 * the admin token was rotated and the old one revoked, both fail; the message says what to run, and
 * `--run-program` or an `up` first works. The dynamic-provider host and the native provider both.
 */
describe.each(dynamicAndNative)("connection settings changed after the last up, on the real engine: $resourceClass", ({ resourceClass, plugins }) => {
  let server: TestServer;
  let org: TestOrganization;
  /** The key server's address before the move: a proxy in front of it, closed to move it away. */
  let oldAddress: FaultProxy;
  let stack: EngineStack;
  let close: () => Promise<void>;
  /** The organization's admin token the test itself uses (the rotated one, once rotated). */
  let adminToken: string;

  beforeAll(async () => {
    ({
      server,
      org,
      proxy: oldAddress,
      stack,
      close,
    } = await startServerAndStack({ name: `settings-${resourceClass}`, faultProxy: true, resourceClass, plugins }));
    adminToken = org.token;
  });
  afterAll(async () => close?.());
  const keyRequests = () => server.logs.filter((line) => line.includes(`/v1/organizations/${org.id}/keys`)).length;

  test("the server moved: refresh fails on the old endpoint and says what to run; --run-program and an up first work", async () => {
    stack.keys = { search: { displayName: "search" } };
    await stack.up();
    expect(await liveKeys(server, org, adminToken)).toHaveLength(1);
    await oldAddress.close();
    await stack.stack.setConfig("apikeys:endpoint", { value: server.url });

    const failed = await stack.refresh().catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    const message = String((failed as Error).message);
    expect(message).toContain(`reading API key "search" (key_`);
    expect(message).toMatch(new RegExp(`failed after 6 attempts: could not reach the key API at ${oldAddress.url.replace(/\./g, "\\.")} \\(ECONNREFUSED\\)`));
    expect(message).toMatch(ADVICE);

    const programRun = await stack.stack.refresh({ runProgram: true, color: "never", onOutput: (l) => stack.log.push(l) });
    expect(programRun.summary.result).toBe("succeeded");
    // An up saves the current settings (no key changes: a moved server is no change to a key); a
    // plain refresh works from then on.
    const saved = await stack.up();
    expect(saved.summary.resourceChanges).not.toHaveProperty("create");
    expect(saved.summary.resourceChanges).not.toHaveProperty("replace");
    expect(saved.outputs["search.keyId"].value).toBe((await liveKeys(server, org, adminToken))[0].id);
    expect((await stack.refresh()).summary.result).toBe("succeeded");
  });

  test("the admin token was rotated and the old one revoked: destroy is refused at once (one attempt) and says what to run; --run-program works", async () => {
    const issued = await server.api("POST", `/v1/organizations/${org.id}/tokens`, { token: server.rootToken, body: {} });
    expect(issued.status).toBe(201);
    adminToken = issued.body.token;
    await stack.stack.setConfig("apikeys:token", { value: issued.body.token, secret: true });
    const tokens = (await server.api("GET", `/v1/organizations/${org.id}/tokens`, { token: issued.body.token })).body.items as Array<{ id: string }>;
    for (const old of tokens.filter((t) => t.id !== issued.body.id))
      expect((await server.api("DELETE", `/v1/organizations/${org.id}/tokens/${old.id}`, { token: issued.body.token })).status).toBe(200);

    const before = keyRequests();
    const failed = await stack.destroy().catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    const message = String((failed as Error).message);
    expect(message).toMatch(/deleting API key "search" \(key_\w+\) failed: 401 UNAUTHENTICATED: this admin token was revoked[^\n]*; if the key server moved/);
    expect(message).toMatch(ADVICE);
    expect(keyRequests() - before).toBe(1);
    expect(message).not.toContain(org.token);
    expect(message).not.toContain(issued.body.token);
    expect(await liveKeys(server, org, adminToken)).toHaveLength(1);

    const programRun = await stack.stack.destroy({ runProgram: true, color: "never", onOutput: (l) => stack.log.push(l) });
    expect(programRun.summary.result).toBe("succeeded");
    expect(await liveKeys(server, org, adminToken)).toEqual([]);
  });
});
