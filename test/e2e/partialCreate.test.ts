import type { EngineStack } from "../helpers/engine";
import { dynamicAndNative, startServerAndStack } from "../helpers/engineFixture";
import type { FaultProxy } from "../helpers/faultProxy";
import { liveKeys, searchPrivilege, whoami, type TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(240_000);

/** The roll's budget in these stacks (APIKEYS_MAX_ATTEMPTS): the proxy fails exactly that many. */
const ATTEMPTS = 3;

/**
 * The key API makes the key but its answer is lost; the retry is answered from the idempotency
 * record (no secret), and the roll that would give the stack a secret of its own fails too. The key
 * exists: the engine must record it (a partially created resource), the next `up` must give it its
 * secret, and `destroy` must delete it. The dynamic-provider host and the native provider both.
 */
describe.each(dynamicAndNative)("a key created but not finished, on the real engine: $resourceClass", ({ resourceClass, plugins }) => {
  let server: TestServer;
  let org: TestOrganization;
  let proxy: FaultProxy;
  let stack: EngineStack;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ server, org, proxy, stack, close } = await startServerAndStack({
      name: `partial-${resourceClass}`,
      faultProxy: true,
      resourceClass,
      plugins,
      env: { APIKEYS_MAX_ATTEMPTS: String(ATTEMPTS) },
    }));
  });
  afterAll(async () => close?.());

  test("the failed up records the key; the next up issues its secret; destroy deletes it: no orphan", async () => {
    proxy.inject({ kind: "lose-response" }, { method: "POST", pathIncludes: "/keys" });
    proxy.inject({ kind: "status", status: 503 }, { method: "POST", pathIncludes: "/roll", times: ATTEMPTS });
    stack.keys = { search: { displayName: "search", privileges: [searchPrivilege] } };

    const failed = await stack.up().catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    // The engine prints a partially created resource's reasons: what happened and what comes next.
    expect(String((failed as Error).message)).toMatch(
      /API key key_\w+ was created but not finished: rolling API key "search" \(key_\w+\) failed after 3 attempts: 503 [^;]*; the key is recorded in the stack: the next `pulumi up` finishes it, `pulumi destroy` deletes it/,
    );
    const [made] = await liveKeys(server, org);
    expect(made).toBeDefined();
    // The engine kept what the provider reported: the key's id and state, marked as waiting for its secret.
    const recorded = (await stack.resources()).find((r) => r.urn.endsWith("::search")) as {
      id?: string;
      outputs?: Record<string, unknown>;
      initErrors?: string[];
    };
    expect(recorded).toMatchObject({ id: made.id, outputs: { keyId: made.id, secretAvailable: false, secretPending: true } });
    expect(recorded.initErrors).toEqual([expect.stringContaining("was created but not finished")]);

    const finished = await stack.up();
    expect(finished.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(finished.outputs["search.keyId"].value).toBe(made.id);
    expect((await whoami(server, finished.outputs["search.secret"].value)).body.keyId).toBe(made.id);
    expect(await liveKeys(server, org)).toEqual([expect.objectContaining({ id: made.id })]);
    expect(stack.exportedState()).not.toContain(finished.outputs["search.secret"].value);

    await stack.destroy();
    expect(await liveKeys(server, org)).toEqual([]);
  });
});
