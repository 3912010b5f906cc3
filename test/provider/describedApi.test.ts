import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { ApiKeyProvider } from "../../provider";
import { descriptionJsonSchema } from "../../provider/backends/http/description";
import { fillBody, resolvePointer } from "../../provider/backends/http/template";
import { sharedPacer } from "../../provider/http/requestPacer";
import { packageSchema } from "../../provider/native/schema";
import { checkedWith } from "../helpers/providerFixture";

const JUPYTERHUB = resolve(__dirname, "../../examples/key-apis/jupyterhub.yaml");
const fast = { APIKEYS_RETRY_BASE_MS: "5", APIKEYS_RETRY_MAX_MS: "20", APIKEYS_MAX_ATTEMPTS: "2" };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "described-api-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A description file: the JupyterHub example with `change` applied (a field set, or removed with undefined). */
function describedFile(name: string, change: (description: Record<string, unknown>) => void, format: "yaml" | "json" = "yaml"): string {
  // The example as parsed by the same library the provider reads it with.
  const description: Record<string, unknown> = parse(readFileSync(JUPYTERHUB, "utf8"));
  change(description);
  const file = join(dir, `${name}.${format}`);
  writeFileSync(file, format === "json" ? JSON.stringify(description) : stringify(description));
  return file;
}

function providerFor(env: NodeJS.ProcessEnv): ApiKeyProvider {
  return new ApiKeyProvider({ env: { ...fast, APIKEYS_BACKEND: "http", JUPYTERHUB_API_TOKEN: "service-token", ...env } });
}

describe("the key API description format", () => {
  test("the published JSON Schema (schemas/key-api.schema.json) is the one generated from the zod schema", () => {
    const committed: unknown = JSON.parse(readFileSync(resolve(__dirname, "../../schemas/key-api.schema.json"), "utf8"));
    // On a difference: npx tsx -e 'require("fs").writeFileSync("schemas/key-api.schema.json", JSON.stringify(require("./provider/backends/http/description").descriptionJsonSchema()))' && npx prettier --write schemas/
    expect(committed).toEqual(descriptionJsonSchema());
  });

  test("the package publishes the schema and the examples", () => {
    const files: string[] = JSON.parse(readFileSync(resolve(__dirname, "../../package.json"), "utf8")).files;
    expect(files).toEqual(expect.arrayContaining(["schemas/", "examples/"]));
  });

  test("the JupyterHub example passes check, from YAML and the same from JSON", async () => {
    const json = describedFile("as-json", () => undefined, "json");
    for (const api of [JUPYTERHUB, json]) {
      const result = await providerFor({ APIKEYS_API: api }).check({}, { displayName: "ci", scopes: ["read:users:name!user=alice"], lifetime: "P30D" });
      expect(result.failures).toEqual([]);
    }
  });
});

describe("templates and pointers", () => {
  test("JSON pointers follow RFC 6901: envelopes, list indexes, ~1 for / and ~0 for ~; a miss is told from null", () => {
    const answer = { data: { id: 7, "a/b": "slash", "m~n": "tilde", list: ["x", "y"], gone: null } };
    expect(resolvePointer(answer, "/data/id")).toEqual({ found: true, value: 7 });
    expect(resolvePointer(answer, "/data/a~1b")).toEqual({ found: true, value: "slash" });
    expect(resolvePointer(answer, "/data/m~0n")).toEqual({ found: true, value: "tilde" });
    expect(resolvePointer(answer, "/data/list/1")).toEqual({ found: true, value: "y" });
    expect(resolvePointer(answer, "/data/gone")).toEqual({ found: true, value: null });
    expect(resolvePointer(answer, "/data/list/2")).toEqual({ found: false });
    expect(resolvePointer(answer, "/data/missing")).toEqual({ found: false });
    expect(resolvePointer(answer, "")).toEqual({ found: true, value: answer });
  });

  test("a whole-string placeholder keeps its value's type, text placeholders are written in, unset values leave their property out", () => {
    const body = { note: "{displayName}", scopes: "{scopes}", expires_in: "{lifetimeSeconds}", label: "{displayName} ({user})", nested: ["{enabled}"] };
    expect(fillBody(body, { displayName: "ci", scopes: ["a", "b"], user: "alice", enabled: false })).toEqual({
      note: "ci",
      scopes: ["a", "b"],
      label: "ci (alice)",
      nested: [false],
    });
  });
});

describe("both providers, every language: the package schema carries the http backend's settings", () => {
  test("apikeys:api in the provider config and the Connection type, and scopes an ApiKey input (what the SDK generators read)", () => {
    const schema = packageSchema("0.0.0") as {
      config: { variables: Record<string, unknown> };
      types: Record<string, { properties: Record<string, unknown> }>;
      resources: Record<string, { inputProperties: Record<string, unknown> }>;
    };
    expect(schema.config.variables.api).toMatchObject({ type: "string" });
    expect(schema.types["apikeys:index:Connection"].properties.api).toMatchObject({ type: "string" });
    expect(schema.resources["apikeys:index:ApiKey"].inputProperties.scopes).toMatchObject({ type: "array", items: { type: "string" } });
  });
});

describe("a wrong description fails check, naming the file, the field and what is wrong", () => {
  const cases: [string, (d: Record<string, unknown>) => void, RegExp][] = [
    ["no create request", (d) => delete d.create, /has a wrong create: it is missing: it is required/],
    ["an unknown auth kind", (d) => (d.auth = { kind: "digest" }), /has a wrong auth\.kind: it is not a known auth kind: use one of bearer, basic, header/],
    [
      "a non-HTTPS base URL outside loopback",
      (d) => (d.baseUrl = "http://hub.example.com/hub/api"),
      /has a wrong baseUrl: it is http:\/\/hub\.example\.com\/hub\/api: the token would travel unencrypted; use https/,
    ],
    [
      "a secret pointer the read answer uses for another field",
      (d) => (d.answer = { ...(d.answer as object), secret: "/note" }),
      /has a wrong answer\.secret: it is "\/note", which the read answer also uses for displayName/,
    ],
    [
      "a placeholder no request can fill",
      (d) => (d.create = { method: "POST", path: "/users/{owner}/tokens" }),
      /has a wrong create\.path: it uses \{owner\}, which has no value/,
    ],
    ["a header auth without its header", (d) => (d.auth = { kind: "header" }), /has a wrong auth\.header: it is required with kind header/],
    ["a pointer that is not one", (d) => (d.answer = { ...(d.answer as object), id: "id" }), /has a wrong answer\.id: it must be a JSON pointer/],
  ];
  test.each(cases)("%s", async (_name, change, reason) => {
    const file = describedFile(_name.replace(/\W+/g, "-"), change);
    const result = await providerFor({ APIKEYS_API: file }).check({}, { displayName: "ci" });
    expect(result.failures).toEqual([{ property: "connection.api", reason: expect.stringMatching(reason) }]);
    expect(result.failures[0].reason).toContain(file);
  });

  test("a file that does not exist, and a description that is not YAML", async () => {
    const missing = await providerFor({ APIKEYS_API: join(dir, "nowhere.yaml") }).check({}, { displayName: "ci" });
    expect(missing.failures).toEqual([{ property: "connection.api", reason: expect.stringContaining("there is no such file") }]);
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "name: [unclosed\n");
    const notYaml = await providerFor({ APIKEYS_API: broken }).check({}, { displayName: "ci" });
    expect(notYaml.failures).toEqual([{ property: "connection.api", reason: expect.stringContaining("it is not valid YAML") }]);
  });

  test("no description at all, and an endpoint that would send the token unencrypted", async () => {
    const none = await providerFor({}).check({}, { displayName: "ci" });
    expect(none.failures).toEqual([{ property: "connection.api", reason: expect.stringContaining("no key API description configured for the http backend") }]);
    const insecure = await providerFor({ APIKEYS_API: JUPYTERHUB, APIKEYS_ENDPOINT: "http://hub.example.com/hub/api" }).check({}, { displayName: "ci" });
    expect(insecure.failures).toEqual([{ property: "connection.endpoint", reason: expect.stringContaining("the token would travel unencrypted") }]);
  });

  test("inputs the description does not take are refused with what to do instead", async () => {
    const result = await providerFor({ APIKEYS_API: JUPYTERHUB }).check(
      {},
      { displayName: "ci", enabled: false, expiresAt: "2099-01-01T00:00:00Z", privileges: [{ owner: "SEARCH_API", targetDomain: "QUERY", type: "VIEW" }] },
    );
    expect(result.failures).toEqual(
      expect.arrayContaining([
        { property: "privileges", reason: expect.stringContaining("list what the key may do in scopes") },
        { property: "expiresAt", reason: expect.stringContaining("use lifetime") },
        { property: "enabled", reason: expect.stringContaining("the http backend cannot disable a key") },
      ]),
    );
  });

  test("no token: neither the description's variable nor apikeys:token", async () => {
    const result = await new ApiKeyProvider({ env: { APIKEYS_BACKEND: "http", APIKEYS_API: JUPYTERHUB } }).check({}, { displayName: "ci" });
    expect(result.failures).toEqual([{ property: "connection.token", reason: expect.stringContaining("no API key token configured") }]);
  });

  test("the description may come from stack config (apikeys:api) and the resource (connection.api)", async () => {
    const configured = providerFor({});
    configured.configureWith({ backend: "http", api: JUPYTERHUB });
    expect((await configured.check({}, { displayName: "ci" })).failures).toEqual([]);
    const onResource = await providerFor({}).check({}, { displayName: "ci", connection: { backend: "http", api: JUPYTERHUB } });
    expect(onResource.failures).toEqual([]);
  });
});

/**
 * A small key API of the other common shape, on loopback: a `data` envelope, numeric ids, an update
 * in place (PUT), a roll that keeps the id, a token in a custom header. It records what arrives.
 */
class EnvelopeApi {
  readonly keys = new Map<number, { id: number; name: string; description: string; accessKey: string; permissions: string[] }>();
  readonly seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: unknown }[] = [];
  private next = 1;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: { secretAt?: string } = {}): Promise<EnvelopeApi> {
    let api: EnvelopeApi | undefined;
    const server = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString()));
      request.on("end", () => {
        const body: unknown = text ? JSON.parse(text) : undefined;
        api!.seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
        const answer = (status: number, data?: unknown) => {
          response.writeHead(status, { "content-type": "application/json" });
          response.end(data === undefined ? "" : JSON.stringify(data));
        };
        if (request.headers["x-api-token"] !== "admin-token") return answer(401, { error: { message: "no" } });
        const match = /^\/api\/tokens(?:\/(\d+))?(\/regenerate)?$/.exec(request.url!);
        const key = match?.[1] ? api!.keys.get(Number(match[1])) : undefined;
        const fields = body as { name?: string; description?: string; permissions?: string[] } | undefined;
        const shown = (k: NonNullable<typeof key>) => ({ id: k.id, name: k.name, description: k.description, permissions: k.permissions });
        if (request.method === "POST" && !match?.[1]) {
          const created = {
            id: api!.next++,
            name: fields!.name!,
            description: fields!.description ?? "",
            permissions: fields!.permissions ?? [],
            accessKey: `ak-${Math.random()}`,
          };
          api!.keys.set(created.id, created);
          return answer(201, { data: { ...shown(created), [options.secretAt ?? "accessKey"]: created.accessKey } });
        }
        if (!key) return answer(404, { error: { message: "not found" } });
        if (request.method === "GET") return answer(200, { data: shown(key) });
        if (request.method === "PUT") {
          Object.assign(key, fields);
          return answer(200, { data: shown(key) });
        }
        if (request.method === "POST" && match?.[2]) {
          key.accessKey = `ak-${Math.random()}`;
          return answer(201, { data: { accessKey: key.accessKey } });
        }
        if (request.method === "DELETE") {
          api!.keys.delete(key.id);
          return answer(200, { data: shown(key) });
        }
        return answer(405);
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const address = server.address();
    api = new EnvelopeApi(server, `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    return api;
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}

const envelopeDescription = {
  name: "envelope-api",
  baseUrl: "https://keys.example.com",
  auth: { kind: "header", header: "X-Api-Token" },
  answer: { id: "/data/id", secret: "/data/accessKey", displayName: "/data/name", description: "/data/description", scopes: "/data/permissions" },
  create: { method: "POST", path: "/api/tokens", body: { name: "{displayName}", description: "{description}", permissions: "{scopes}", type: "custom" } },
  read: { method: "GET", path: "/api/tokens/{id}" },
  update: {
    method: "PUT",
    path: "/api/tokens/{id}",
    body: { name: "{displayName}", description: "{description}", permissions: "{scopes}" },
    fields: ["displayName", "description", "scopes"],
  },
  delete: { method: "DELETE", path: "/api/tokens/{id}" },
  roll: { method: "POST", path: "/api/tokens/{id}/regenerate", answer: { secret: "/data/accessKey" } },
};

describe("a described API with an envelope, updates in place and a roll (loopback)", () => {
  let api: EnvelopeApi;
  let provider: () => ApiKeyProvider;
  beforeEach(async () => {
    api = await EnvelopeApi.start();
    const file = join(dir, `envelope-${api.url.split(":").pop()}.json`);
    writeFileSync(file, JSON.stringify(envelopeDescription));
    provider = () =>
      new ApiKeyProvider({ env: { ...fast, APIKEYS_BACKEND: "http", APIKEYS_API: file, APIKEYS_ENDPOINT: api.url, APIKEYS_TOKEN: "admin-token" } });
  });
  afterEach(() => api.close());

  test("create reads id and secret through the envelope; the token travels in the description's header only", async () => {
    const created = await provider().create(await checkedWith(provider)({ displayName: "ci", description: "for CI", scopes: ["api::article.find"] }));
    expect(created).toMatchObject({ id: "1", outs: { keyId: "1", secretAvailable: true, displayName: "ci", scopes: ["api::article.find"] } });
    expect(created.outs!.secret).toBe(api.keys.get(1)!.accessKey);
    expect(api.seen[0]).toMatchObject({ method: "POST", body: { name: "ci", description: "for CI", permissions: ["api::article.find"], type: "custom" } });
    expect(api.seen[0].headers).toMatchObject({ "x-api-token": "admin-token" });
    expect(api.seen[0].headers.authorization).toBeUndefined();
  });

  test("a name, description or scope change is an update in place; a rotation rolls the same key", async () => {
    const p = provider();
    const check = checkedWith(provider);
    const created = await p.create(await check({ displayName: "ci", rotation: { trigger: "1" } }));
    const renamed = await check({ displayName: "ci v2", description: "moved", scopes: ["a"], rotation: { trigger: "1" } }, created.outs!);
    expect(await p.diff(created.id, created.outs!, renamed)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const updated = await p.update(created.id, created.outs!, renamed);
    expect(updated.outs).toMatchObject({ keyId: "1", displayName: "ci v2", description: "moved", scopes: ["a"], secret: created.outs!.secret });
    expect(api.seen.find((r) => r.method === "PUT")!.body).toEqual({ name: "ci v2", description: "moved", permissions: ["a"] });

    const rotated = await check({ displayName: "ci v2", description: "moved", scopes: ["a"], rotation: { trigger: "2" } }, updated.outs!);
    expect((await p.diff(created.id, updated.outs!, rotated)).replaces).toEqual([]);
    const rolled = await p.update(created.id, updated.outs!, rotated);
    expect(rolled.outs).toMatchObject({ keyId: "1", secret: api.keys.get(1)!.accessKey });
    expect(rolled.outs!.secret).not.toBe(created.outs!.secret);
    expect(api.keys.size).toBe(1);
  });

  test("requestsPerSecond paces the provider's requests (the same pacer as Didomi's rate limit)", async () => {
    const file = join(dir, `paced-${api.url.split(":").pop()}.json`);
    writeFileSync(file, JSON.stringify({ ...envelopeDescription, requestsPerSecond: 2 }));
    const p = new ApiKeyProvider({ env: { ...fast, APIKEYS_BACKEND: "http", APIKEYS_API: file, APIKEYS_ENDPOINT: api.url, APIKEYS_TOKEN: "admin-token" } });
    const created = await p.create((await p.check({}, { displayName: "ci" })).inputs);
    for (let i = 0; i < 3; i++) await p.read(created.id, created.outs!);
    // Four requests at two a second: the pacer made some of them wait for their turn.
    const pacer = sharedPacer(`http|${api.url}`, 2, 1000);
    expect(pacer.waitedMs).toBeGreaterThan(0);
    expect(api.seen).toHaveLength(4);
  });

  test("a roll that cannot keep the old secret refuses a grace period at check", async () => {
    const result = await provider().check({}, { displayName: "ci", rotation: { gracePeriodSeconds: 60 } });
    expect(result.failures).toEqual([
      { property: "rotation.gracePeriodSeconds", reason: expect.stringContaining("the http backend deletes an old key at once") },
    ]);
  });

  test("a secret pointer that matches nothing in the create's answer fails the create naming it, and the key is deleted again", async () => {
    await api.close();
    api = await EnvelopeApi.start({ secretAt: "key" });
    const file = join(dir, "envelope-wrong-secret.json");
    writeFileSync(file, JSON.stringify(envelopeDescription));
    const p = new ApiKeyProvider({ env: { ...fast, APIKEYS_BACKEND: "http", APIKEYS_API: file, APIKEYS_ENDPOINT: api.url, APIKEYS_TOKEN: "admin-token" } });
    const inputs = (await p.check({}, { displayName: "ci" })).inputs;
    await expect(p.create(inputs)).rejects.toThrow(
      /creating API key "ci" failed: the answer has nothing at answer\.secret "\/data\/accessKey" \(the key API description .*envelope-wrong-secret\.json\); fix that pointer .* The key it made \(1\) was deleted again\./,
    );
    expect(api.keys.size).toBe(0);
  });
});
