import * as pulumi from "@pulumi/pulumi";
import type { EngineStack } from "../helpers/engine";
import { dynamicAndNative, startServerAndStack } from "../helpers/engineFixture";
import type { TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(240_000);

/**
 * A missing connection setting is a local fact: `pulumi preview` (and so `up`'s own preview) fails
 * with it, naming the setting and the command that sets it, before any key is made. A connection
 * that is not known yet at preview (computed from another resource) is not refused. The
 * dynamic-provider host and the native provider both.
 */
describe.each(dynamicAndNative)("missing connection settings fail at preview, on the real engine: $resourceClass", ({ resourceClass, plugins }) => {
  let server: TestServer;
  let org: TestOrganization;
  let stack: EngineStack;
  let close: () => Promise<void>;
  /** What the program declares: the keys of `keys`, or the keys `program` makes. */
  let program: (() => void) | undefined;

  beforeAll(async () => {
    ({ server, org, stack, close } = await startServerAndStack({
      name: `preview-settings-${resourceClass}`,
      resourceClass,
      plugins,
      program: async () => {
        const apikeys: typeof import("../../provider") = require("pulumi-apikeys");
        if (program) return program();
        for (const [name, args] of Object.entries(stack.keys)) new apikeys[resourceClass](name, args);
      },
    }));
    // Neither the token nor the organization is set for this stack (nor APIKEYS_TOKEN in its environment).
    await stack.stack.removeConfig("apikeys:token");
    await stack.stack.removeConfig("apikeys:organizationId");
  });
  afterAll(async () => close?.());

  const keysOnServer = async () => (await server.api("GET", `/v1/organizations/${org.id}/keys`, { token: org.token })).body.items as unknown[];

  test("preview fails naming each missing setting and the command that sets it; nothing is created", async () => {
    stack.keys = { search: { displayName: "search" } };
    const requestsBefore = server.logs.length;
    const failed = await stack.preview().catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    const message = String((failed as Error).message);
    expect(message).toContain(
      "property connection.token value {<nil>} has a problem: no API key token configured: run `pulumi config set --secret apikeys:token <token>`, or set the APIKEYS_TOKEN environment variable or connection.token on the resource",
    );
    expect(message).toContain("no API key organizationId configured: run `pulumi config set apikeys:organizationId <organization id>`");
    // Not one request reached the key API, and the stack holds no key.
    expect(server.logs.length).toBe(requestsBefore);
    expect(await keysOnServer()).toEqual([]);
    expect((await stack.resources()).filter((r) => r.urn.includes("ApiKey"))).toEqual([]);
  });

  test("a connection known only once another key exists is not refused at preview; the up then uses it", async () => {
    const connection = { token: org.token, organizationId: org.id };
    program = () => {
      const apikeys: typeof import("../../provider") = require("pulumi-apikeys");
      const first = new apikeys[resourceClass]("first", { connection: pulumi.secret(connection) });
      // Unknown at preview: `first` does not exist yet.
      new apikeys[resourceClass]("second", { connection: pulumi.secret(first.keyId.apply(() => connection)) });
    };
    const preview = await stack.preview();
    expect(preview.changeSummary).toMatchObject({ create: 3 });
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 3 });
    expect(await keysOnServer()).toHaveLength(2);
    expect(stack.exportedState()).not.toContain(org.token);
    await stack.destroy();
    expect(await keysOnServer()).toEqual([]);
  });
});
