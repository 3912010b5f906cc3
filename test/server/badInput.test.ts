import { startTestServer, type TestServer } from "../helpers/testServer";

describe("bad input gets a 4xx naming the problem and changes nothing", () => {
  let t: TestServer;
  let org: { id: string; token: string };
  let keyId: string;
  const keys = () => `/v1/organizations/${org.id}/keys`;

  beforeAll(async () => {
    t = await startTestServer("sqlite", { maxBodyBytes: 4096 });
    org = await t.createOrganization();
    keyId = (await t.api("POST", keys(), { token: org.token, body: { displayName: "kept" } })).body.id;
  });
  afterAll(async () => t.close());

  const cases: Array<{
    name: string;
    method: string;
    path: () => string;
    body?: unknown;
    rawBody?: string;
    status: number;
    code: string;
    field?: string;
    message: RegExp;
  }> = [
    { name: "malformed JSON", method: "POST", path: () => keys(), rawBody: "{nope", status: 400, code: "BAD_REQUEST", message: /not valid JSON/ },
    { name: "a JSON array", method: "POST", path: () => keys(), rawBody: "[]", status: 400, code: "BAD_REQUEST", message: /JSON object/ },
    {
      name: "an unknown field",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", colour: "red" },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "colour",
      message: /unknown field/,
    },
    {
      name: "an empty displayName",
      method: "POST",
      path: () => keys(),
      body: { displayName: " " },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "displayName",
      message: /must not be empty/,
    },
    {
      name: "an unknown environment",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", environment: "prod" },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "environment",
      message: /"live" or "test"/,
    },
    {
      name: "a lower-case privilege owner",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", privileges: [{ owner: "search", targetDomain: "Q", type: "ENABLE" }] },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "privileges.0.owner",
      message: /UPPER_SNAKE_CASE/,
    },
    {
      name: "a privilege missing its type",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", privileges: [{ owner: "SEARCH_API", targetDomain: "Q" }] },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "privileges.0.type",
      message: /./,
    },
    {
      name: "a date that is not ISO-8601",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", expiresAt: "next tuesday" },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "expiresAt",
      message: /ISO-8601/,
    },
    {
      name: "an oversized body",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", description: "y".repeat(5000) },
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      message: /exceeds 4096 bytes/,
    },
    { name: "a malformed key id", method: "GET", path: () => `${keys()}/../../etc`, status: 404, code: "NOT_FOUND", message: /not found|no such route/ },
    {
      name: "a key id with SQL in it",
      method: "PATCH",
      path: () => `${keys()}/key_'%20OR%201=1`,
      body: { enabled: false },
      status: 404,
      code: "NOT_FOUND",
      message: /not found/,
    },
    {
      name: "a negative grace period",
      method: "POST",
      path: () => `${keys()}/${keyId}/roll`,
      body: { gracePeriodSeconds: -1 },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "gracePeriodSeconds",
      message: /./,
    },
    {
      name: "a bad Idempotency-Key",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x" },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "Idempotency-Key",
      message: /printable ASCII/,
    },
  ];

  test.each(cases)("$name", async (c) => {
    const before = await t.api("GET", keys(), { token: org.token });
    const auditBefore = await t.api("GET", `/v1/organizations/${org.id}/audit`, { token: org.token });
    const headers: Record<string, string> = c.name === "a bad Idempotency-Key" ? { "Idempotency-Key": "x".repeat(201) } : {};
    if (c.rawBody) headers["content-type"] = "application/json";
    const answer = await t.api(c.method, c.path(), { token: org.token, body: c.body, rawBody: c.rawBody, headers });
    expect(answer.status).toBe(c.status);
    expect(answer.body.error.code).toBe(c.code);
    expect(answer.body.error.message).toMatch(c.message);
    expect(answer.body.error.requestId).toMatch(/^req_/);
    if (c.field) expect(answer.body.error.field).toBe(c.field);
    expect((await t.api("GET", keys(), { token: org.token })).body).toEqual(before.body);
    expect((await t.api("GET", `/v1/organizations/${org.id}/audit`, { token: org.token })).body).toEqual(auditBefore.body);
  });

  test("a token over its rate limit gets 429 with Retry-After", async () => {
    const limited = await startTestServer("sqlite", { rateLimitPerSecond: 2 });
    try {
      const o = await limited.createOrganization();
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 8; i++) {
        const answer = await limited.api("GET", `/v1/organizations/${o.id}/keys`, { token: o.token });
        statuses.push(answer.status);
        if (answer.status === 429) retryAfter = answer.headers.get("retry-after");
      }
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  test("refused verifications over the address's rate get 429 with the limiter's own Retry-After, on both verify paths", async () => {
    const limited = await startTestServer("sqlite", { verifyRateLimitPerSecond: 0.5 });
    try {
      const o = await limited.createOrganization();
      const key = (await limited.api("POST", `/v1/organizations/${o.id}/keys`, { token: o.token, body: { displayName: "k", enabled: false } })).body;
      const headers = { authorization: `Api-Key ${key.secret}` };
      expect((await limited.api("GET", "/v1/whoami", { headers })).body.error.reason).toBe("DISABLED");
      for (const path of ["/v1/whoami", "/v1/whoami?routed"]) {
        const answer = await limited.api("GET", path, { headers });
        expect(answer.status).toBe(429);
        // 0.5 requests per second: the next one is due in 2 s, not 1.
        expect(answer.headers.get("retry-after")).toBe("2");
        expect(answer.body.error.message).toBe("too many verification requests from this address; retry after 2s");
      }
    } finally {
      await limited.close();
    }
  });

  test("the server refuses a non-loopback address without an explicit opt-in", async () => {
    await expect(startTestServer("sqlite", { host: "0.0.0.0" })).rejects.toThrow(/refusing to listen on 0.0.0.0 without TLS/);
  });

  test("/openapi.json is an OpenAPI 3.1 document generated from the request schemas", async () => {
    const doc = await t.api("GET", "/openapi.json");
    expect(doc.body.openapi).toBe("3.1.0");
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(["/v1/organizations/{orgId}/keys", "/v1/organizations/{orgId}/keys/{keyId}/roll", "/v1/whoami"]),
    );
    expect(doc.body.components.schemas.CreateKeyRequest.properties.environment.enum).toEqual(["live", "test"]);
    expect(doc.body.components.schemas.CreateKeyRequest.additionalProperties).toBe(false);
    // Admin tokens: issue, list, revoke, with the scopes the server accepts.
    expect(Object.keys(doc.body.paths["/v1/organizations/{orgId}/tokens"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.body.paths["/v1/organizations/{orgId}/tokens/{tokenId}"])).toEqual(["delete"]);
    expect(doc.body.components.schemas.CreateTokenRequest.properties.scope.enum).toEqual(["manage", "read"]);
    expect(doc.body.components.schemas.Token.properties).not.toHaveProperty("token");
  });
});
