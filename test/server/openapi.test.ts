import { createServerApp } from "../../server/app";
import { openDatabase, type OpenDatabase } from "../../server/db/open";
import { migrateToLatest } from "../../server/db/migrations";
import { ClientAddressResolver } from "../../server/http/clientAddress";
import { openApiPath } from "../../server/http/featureRoutes";
import { VerifyCache } from "../../server/verify/verifyCache";
import { startTestServer, type TestServer } from "../helpers/testServer";

/** Routes that are the console's web pages, not the API. */
const CONSOLE_ROUTES = new Set(["GET /", "GET /assets/{name}"]);

describe("OpenAPI document", () => {
  let database: OpenDatabase;
  beforeAll(async () => {
    database = await openDatabase("sqlite::memory:");
    await migrateToLatest(database.db);
  });
  afterAll(async () => database.close());

  const app = () =>
    createServerApp({
      context: {
        db: database.db,
        databaseKind: database.kind,
        pepper: "p".repeat(32),
        now: () => new Date(),
        verifyCache: new VerifyCache(0),
        queries: database.queries,
      },
      rootTokenHash: "",
      log: () => undefined,
      rateLimitPerSecond: 0,
      verifyRateLimitPerSecond: 0,
      failedVerifyRateLimitPerSecond: 0,
      clientAddress: new ClientAddressResolver(undefined, undefined),
      maxBodyBytes: 1024,
    }).app;

  test("every mounted route is documented, and every documented operation is mounted", async () => {
    const served = app();
    const mounted = new Set(served.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${openApiPath(r.path)}`));
    const doc = (await (await served.request("/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)),
    );
    const undocumented = [...mounted].filter((route) => !documented.has(route) && !CONSOLE_ROUTES.has(route));
    const phantom = [...documented].filter((route) => !mounted.has(route));
    expect({ undocumented, phantom }).toEqual({ undocumented: [], phantom: [] });
    // The walk sees the real routes: the API's main operations are among them.
    expect([...mounted]).toEqual(
      expect.arrayContaining([
        "POST /v1/organizations/{orgId}/keys",
        "POST /v1/organizations/{orgId}/keys/{keyId}/roll",
        "GET /v1/whoami",
        "GET /v1/me",
        "GET /healthz",
      ]),
    );
  });

  describe("over loopback", () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer("sqlite");
    });
    afterAll(async () => t.close());

    test("each operation documents its request body, query parameters and answers from the schemas that validate them", async () => {
      const doc = (await t.api("GET", "/openapi.json")).body;
      const create = doc.paths["/v1/organizations/{orgId}/keys"].post;
      expect(create.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/CreateKeyRequest" });
      expect(create.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(["path:orgId", "header:Idempotency-Key"]);
      expect(Object.keys(create.responses).sort()).toEqual(["200", "201", "400", "401", "403", "404", "409", "413", "429"]);
      const list = doc.paths["/v1/organizations/{orgId}/keys"].get;
      expect(list.parameters.filter((p: { in: string }) => p.in === "query").map((p: { name: string }) => p.name)).toEqual([
        "environment",
        "enabled",
        "limit",
        "cursor",
      ]);
      const revoke = doc.paths["/v1/organizations/{orgId}/keys/{keyId}"].delete;
      expect(revoke.parameters.find((p: { name: string }) => p.name === "gracePeriodSeconds").schema.maximum).toBe(2_592_000);
      expect(doc.components.schemas.IssuedKey.properties).toHaveProperty("secret");
      expect(doc.components.schemas.Key.properties).not.toHaveProperty("secret");
      expect(doc.paths["/v1/whoami"].get.security).toEqual([{ apiKey: [] }]);
      expect(doc.paths["/healthz"].get.security).toEqual([]);
    });

    test("every route that reads a body documents 413, and no other does", async () => {
      const doc = (await t.api("GET", "/openapi.json")).body as {
        paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
      };
      const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method} ${path}`, op })));
      const withBody = operations.filter(({ op }) => op.requestBody).map(({ route }) => route);
      expect(withBody).toEqual(expect.arrayContaining(["post /v1/organizations/{orgId}/keys", "post /v1/secret-scanning/alerts", "post /v1/organizations"]));
      for (const { route, op } of operations) expect([route, "413" in op.responses]).toEqual([route, withBody.includes(route)]);
    });

    test("the document is as strict as the validators where JSON Schema can say it", async () => {
      const doc = (await t.api("GET", "/openapi.json")).body;
      const create = doc.components.schemas.CreateKeyRequest.properties;
      const matches = (pattern: string, text: string) => new RegExp(pattern).test(text);
      // Plain-text fields: the control-character rule is the pattern, the same regex the server runs.
      expect(matches(create.displayName.pattern, "checkout")).toBe(true);
      expect(matches(create.displayName.pattern, "evil\u202Egnp.exe")).toBe(false);
      expect(matches(create.displayName.pattern, "line\nbreak")).toBe(false);
      expect(matches(create.description.pattern, "line\nbreak")).toBe(true);
      expect(matches(create.description.pattern, "bell\u0007")).toBe(false);
      expect(matches(doc.components.schemas.CreateOrganizationRequest.properties.name.pattern, "zero\u200Bwidth")).toBe(false);
      // Durations: bounded in length, and the description names the maximum.
      expect(create.lifetime.maxLength).toBe(40);
      expect(create.lifetime.description).toContain("at most P100Y");
      expect(create.metadata.maxProperties).toBe(16);
      // Path ids and the Idempotency-Key header carry the shapes the server accepts.
      const roll = doc.paths["/v1/organizations/{orgId}/keys/{keyId}/roll"].post;
      const param = (name: string) => roll.parameters.find((p: { name: string }) => p.name === name).schema;
      expect(matches(param("keyId").pattern, "key_0123456789abcdefghij")).toBe(true);
      expect(matches(param("keyId").pattern, "../../etc")).toBe(false);
      expect(matches(param("Idempotency-Key").pattern, "retry 1")).toBe(false);
      expect(param("Idempotency-Key").maxLength).toBe(200);
    });
  });
});
