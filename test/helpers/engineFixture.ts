import { EngineStack, type EngineStackOptions } from "./engine";
import { FaultProxy } from "./faultProxy";
import { startServerWithOrganization, type TestOrganization } from "./fixtures";
import { nativePluginSettings } from "./nativePlugin";
import type { DatabaseKind, startTestServer, TestServer } from "./testServer";

/** What most end-to-end tests start from: a key server, one organization, and a stack configured for it. */
export interface ServerAndStack<Proxied extends boolean = false> {
  readonly server: TestServer;
  readonly org: TestOrganization;
  /** The FaultProxy between the stack and the server (`faultProxy: true`): the stack's endpoint is then the proxy. */
  readonly proxy: Proxied extends true ? FaultProxy : undefined;
  readonly stack: EngineStack;
  /** Disposes of the stack, then closes the proxy and the server. */
  close(): Promise<void>;
}

export interface ServerAndStackOptions<Proxied extends boolean> extends Omit<EngineStackOptions, "endpoint" | "organizationId" | "token"> {
  /** The server's database: a fresh SQLite file unless said otherwise. */
  readonly database?: DatabaseKind;
  /** Options of the key server (e.g. `leakAlertKeys`, `rateLimitPerSecond`). */
  readonly server?: Parameters<typeof startTestServer>[1];
  /** Puts a FaultProxy in front of the server, and the stack's `apikeys:endpoint` on it. */
  readonly faultProxy?: Proxied;
  /** Which class declares the stack's `keys` (the native one needs `plugins`). */
  readonly resourceClass?: EngineStack["resourceClass"];
}

/**
 * A fresh key server (an organization named "acme" on it) and a stack whose `apikeys:endpoint`,
 * `apikeys:organizationId` and `apikeys:token` (the organization's first admin token) point at it,
 * optionally through a FaultProxy. What was started is closed again if a later step fails.
 *
 *     beforeAll(async () => ({ server, org, stack, close } = await startServerAndStack({ name: "native", plugins })));
 *     afterAll(async () => close?.());
 */
export async function startServerAndStack<Proxied extends boolean = false>(options: ServerAndStackOptions<Proxied>): Promise<ServerAndStack<Proxied>> {
  const { database = "sqlite", server: serverOptions, faultProxy, resourceClass, ...stackOptions } = options;
  const { t: server, org } = await startServerWithOrganization(database, serverOptions);
  let proxy: FaultProxy | undefined;
  try {
    if (faultProxy) proxy = await new FaultProxy(server.url).start();
    const stack = await EngineStack.create({ ...stackOptions, endpoint: proxy?.url ?? server.url, organizationId: org.id, token: org.token });
    if (resourceClass) stack.resourceClass = resourceClass;
    const close = async () => {
      await stack.dispose();
      await proxy?.close();
      await server.close();
    };
    return { server, org, proxy: proxy as ServerAndStack<Proxied>["proxy"], stack, close };
  } catch (error) {
    await proxy?.close();
    await server.close();
    throw error;
  }
}

/**
 * The two providers a stack can declare its keys with, for `describe.each`: the dynamic `ApiKey`
 * (run by the Node.js dynamic-provider host) and the native provider's `NativeApiKey` (its plugin
 * named in Pulumi.yaml). Pass both fields on to `startServerAndStack`.
 */
export const dynamicAndNative = [
  { resourceClass: "ApiKey" as const, plugins: undefined },
  { resourceClass: "NativeApiKey" as const, plugins: nativePluginSettings() },
];
