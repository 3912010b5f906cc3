import { createServer } from "node:net";
import { inspect } from "node:util";
import { ApiKeyProvider, type ApiKeyOutputs } from "../../provider";
import { redactUrl } from "../../provider/errors/redactUrl";
import { FaultProxy } from "../helpers/faultProxy";
import { providerFixture, type ProviderFixture } from "../helpers/providerFixture";

/** The credential an endpoint carries; nothing the provider says or throws may contain it. */
const PASSWORD = "Pw-endpoint-7c41e9a2";

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The ways a URL carries a credential, at `host` (`127.0.0.1:<port>`). */
function credentialedEndpoints(host: string): string[] {
  return [
    `http://apiuser:${PASSWORD}@${host}`,
    // An `@` in the password: the address ends at the last one.
    `http://apiuser:${PASSWORD}@x@${host}/`,
    // A `/` in the password makes the URL invalid (the request never leaves), and the message still names it.
    `http://apiuser:${PASSWORD}/x@${host}`,
    `http://${host}/?api_key=${PASSWORD}`,
    `http://${host}/base?region=eu&token=${PASSWORD}`,
  ];
}

/**
 * Runs a hook and gathers everything it said: the outcome (result or thrown error) as its message,
 * stack, util.inspect and JSON forms, and every line written to stdout, stderr or the console meanwhile.
 */
async function everythingSaid(hook: () => Promise<unknown>): Promise<{ outcome: unknown; text: string }> {
  const spies = [
    jest.spyOn(process.stdout, "write"),
    jest.spyOn(process.stderr, "write"),
    ...(["log", "info", "warn", "error", "debug"] as const).map((method) => jest.spyOn(console, method)),
  ];
  try {
    const outcome = await hook().then(
      (result) => result,
      (error: unknown) => error,
    );
    const forms = [inspect(outcome, { depth: 20 }), JSON.stringify(outcome) ?? ""];
    if (outcome instanceof Error) forms.push(outcome.message, outcome.stack ?? "");
    const written = spies.flatMap((spy) => spy.mock.calls.map((call) => call.map((part) => (typeof part === "string" ? part : inspect(part))).join(" ")));
    return { outcome, text: [...forms, ...written].join("\n") };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe("credentials in the endpoint URL never reach a message, a log line or a thrown error", () => {
  let f: ProviderFixture;
  beforeEach(async () => {
    f = await providerFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  /** A provider whose endpoint is `endpoint`, set as (secret) stack config the way `configure` receives it. */
  const providerAt = (endpoint: string): ApiKeyProvider => {
    const { APIKEYS_ENDPOINT: _endpoint, ...env } = f.env;
    const provider = new ApiKeyProvider({ env, now: f.server.clock.now });
    provider.configureWith({ endpoint });
    return provider;
  };

  /** create, read and delete of a key (made on the clean endpoint first) through a provider at `endpoint`. */
  async function everyHookAt(endpoint: string): Promise<Array<{ hook: string; outcome: unknown; text: string }>> {
    const made = await f.provider().create(await f.checked({ displayName: "made" }));
    // The stored outputs name no endpoint: the connection comes from stack config, as it would in a stack.
    const outputs: ApiKeyOutputs = made.outs!;
    const provider = providerAt(endpoint);
    const hooks: Record<string, () => Promise<unknown>> = {
      create: async () => provider.create(await f.checked({ displayName: "search" })),
      read: () => provider.read(made.id, outputs),
      update: async () => provider.update(made.id, outputs, await f.checked({ displayName: "made", description: "changed" })),
      delete: () => provider.delete(made.id, outputs),
    };
    const said = [];
    for (const [hook, run] of Object.entries(hooks)) said.push({ hook, ...(await everythingSaid(run)) });
    return said;
  }

  test.each(credentialedEndpoints("127.0.0.1:PORT"))("a closed loopback port: %s", async (pattern) => {
    const port = await closedPort();
    const endpoint = pattern.replace("PORT", String(port));
    for (const { hook, outcome, text } of await everyHookAt(endpoint)) {
      expect({ hook, failed: outcome instanceof Error }).toEqual({ hook, failed: true });
      expect({ hook, leaks: text.includes(PASSWORD) }).toEqual({ hook, leaks: false });
      // Still useful: the message names the address it could not reach, credentials masked.
      expect((outcome as Error).message).toContain(`could not reach the key API at ${redactUrl(endpoint.replace(/\/+$/, ""))}`);
      expect((outcome as Error).message).toContain(`127.0.0.1:${port}`);
    }
  });

  test("Didomi's sign-in at a closed port names the address without the password", async () => {
    const made = await f.provider().create(await f.checked({ displayName: "made" }));
    const { APIKEYS_ENDPOINT: _endpoint, APIKEYS_TOKEN: _token, ...env } = f.env;
    const provider = new ApiKeyProvider({ env, now: f.server.clock.now });
    const port = await closedPort();
    provider.configureWith({ endpoint: `http://apiuser:${PASSWORD}@127.0.0.1:${port}/v1`, backend: "didomi", token: "didomi-key:didomi-secret" });
    const { outcome, text } = await everythingSaid(() => provider.read(made.id, made.outs!));
    expect((outcome as Error).message).toContain(`could not reach Didomi at http://***@127.0.0.1:${port}/v1 (ECONNREFUSED)`);
    expect(text).not.toContain(PASSWORD);
  });

  test("the real server behind a proxy that cuts every connection: the reset is reported without the password", async () => {
    const proxy = await new FaultProxy(f.server.url).start();
    try {
      proxy.inject({ kind: "reset" }, { times: 1000 });
      const host = new URL(proxy.url).host;
      for (const endpoint of [`http://apiuser:${PASSWORD}@${host}`, `http://${host}/?token=${PASSWORD}`]) {
        for (const { hook, outcome, text } of await everyHookAt(endpoint)) {
          expect({ hook, message: (outcome as Error).message }).toEqual({ hook, message: expect.stringContaining("(ECONNRESET)") });
          expect({ hook, leaks: text.includes(PASSWORD) }).toEqual({ hook, leaks: false });
        }
      }
      expect(proxy.seen.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });

  test("the real server answering: nothing the provider says or the server logs holds the password", async () => {
    // axios sends a URL's userinfo as Basic credentials in place of the bearer token, so the server refuses them.
    for (const { hook, outcome, text } of await everyHookAt(`http://apiuser:${PASSWORD}@${new URL(f.server.url).host}`)) {
      expect({ hook, leaks: text.includes(PASSWORD) }).toEqual({ hook, leaks: false });
      expect({ hook, failed: outcome instanceof Error }).toEqual({ hook, failed: true });
    }
    expect(f.server.logs.length).toBeGreaterThan(0);
    expect(f.server.logs.filter((line) => line.includes(PASSWORD))).toEqual([]);
  });
});

describe("redactUrl", () => {
  test.each([
    ["https://user:pass@keys.example.com/v1", "https://***@keys.example.com/v1"],
    ["https://user@keys.example.com", "https://***@keys.example.com"],
    ["https://keys.example.com/v1?region=eu&api_key=abc&x=1", "https://keys.example.com/v1?region=eu&api_key=***&x=1"],
    ["https://keys.example.com/?access_token=abc#top", "https://keys.example.com/?access_token=***#top"],
    ["reach http://a:b@h:1 (ECONNREFUSED) or https://h2/?sig=s", "reach http://***@h:1 (ECONNREFUSED) or https://h2/?sig=***"],
    ["https://keys.example.com/v1/keys?limit=10", "https://keys.example.com/v1/keys?limit=10"],
    ["no URL here, an email a@b.c", "no URL here, an email a@b.c"],
  ])("%s", (text, redacted) => {
    expect(redactUrl(text)).toBe(redacted);
    expect(redactUrl(redacted)).toBe(redacted);
  });
});
