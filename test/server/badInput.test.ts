import { request, type IncomingHttpHeaders } from "node:http";
import { alertSigner } from "../helpers/alertSigner";
import { startServerWithOrganization, type TestOrganization } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/testServer";

describe("bad input gets a 4xx naming the problem and changes nothing", () => {
  let t: TestServer;
  let org: TestOrganization;
  let keyId: string;
  const keys = () => `/v1/organizations/${org.id}/keys`;

  beforeAll(async () => {
    ({ t, org } = await startServerWithOrganization("sqlite", { maxBodyBytes: 4096 }));
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
    {
      name: "a lone carriage return in a description (it ends a Markdown table row)",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", description: "payments\r<!--" },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "description",
      message: /must not contain control characters .*tabs and line breaks are fine/,
    },
    {
      name: "an escape sequence in a description, on update",
      method: "PATCH",
      path: () => `${keys()}/${keyId}`,
      body: { description: "ok\u001b[2J" },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "description",
      message: /must not contain control characters/,
    },
    {
      name: "a control character in a metadata value",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", metadata: { owner: "team\u0000" } },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "metadata.owner",
      message: /a label is one line of text/,
    },
    {
      name: "a line break in a metadata value, on update",
      method: "PATCH",
      path: () => `${keys()}/${keyId}`,
      body: { metadata: { owner: "team\npayments" } },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "metadata.owner",
      message: /tabs and line breaks included/,
    },
    {
      name: "a lifetime whose expiry is past the calendar (P300000Y)",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", lifetime: "P300000Y" },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "lifetime",
      message: /at most P100Y/,
    },
    {
      name: "a lifetime of 99,999,999,999 hours",
      method: "POST",
      path: () => keys(),
      body: { displayName: "x", lifetime: "PT99999999999H" },
      status: 400,
      code: "VALIDATION_FAILED",
      field: "lifetime",
      message: /at most P100Y/,
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

  test("a description over several lines (tabs, LF, CR LF) is not a control character: accepted and kept", async () => {
    const description = "payments checkout\r\n\tline two\nline three";
    const created = await t.api("POST", keys(), { token: org.token, body: { displayName: "multi-line", description, metadata: { owner: "payments team" } } });
    expect(created.status).toBe(201);
    expect((await t.api("GET", `${keys()}/${created.body.id}`, { token: org.token })).body).toMatchObject({
      description,
      metadata: { owner: "payments team" },
    });
  });

  test("a token over its rate limit gets 429 with Retry-After", async () => {
    const limited = await startTestServer("sqlite", { rateLimitPerSecond: 2 });
    try {
      const o = await limited.createOrganization();
      // The server's clock stands still: the 8 requests overrun the burst of 4 however slowly they are sent.
      limited.clock.freeze();
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
      // The server's clock stands still: nothing refills between these requests, however slowly they are sent.
      limited.clock.freeze();
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

/** A request with any method (fetch refuses TRACE and CONNECT), answered with its status and headers. */
function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("deeply nested JSON at the body size limit", () => {
  const limit = 64 * 1024;
  const github = alertSigner("nested-json-test");
  let t: TestServer;
  let org: TestOrganization;
  let keyId: string;
  beforeAll(async () => {
    ({ t, org } = await startServerWithOrganization("sqlite", {
      maxBodyBytes: limit,
      rateLimitPerSecond: 0,
      leakAlertKeys: JSON.stringify({ public_keys: [github.published] }),
    }));
    keyId = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "kept" } })).body.id;
  });
  afterAll(async () => t.close());

  /** `{"<field>":[[[...]]]}` of exactly `limit` bytes: about 32,000 levels of arrays. */
  const nestedObject = (field: string) => {
    const frame = `{"${field}":}`.length;
    const depth = Math.floor((limit - frame) / 2);
    return `{"${field}":${"[".repeat(depth)}${"]".repeat(depth)}}`;
  };
  const routes: Array<{ name: string; method: string; path: () => string; body: () => string; signed?: boolean }> = [
    { name: "create key", method: "POST", path: () => `/v1/organizations/${org.id}/keys`, body: () => nestedObject("privileges") },
    { name: "update key", method: "PATCH", path: () => `/v1/organizations/${org.id}/keys/${keyId}`, body: () => nestedObject("metadata") },
    { name: "roll key", method: "POST", path: () => `/v1/organizations/${org.id}/keys/${keyId}/roll`, body: () => nestedObject("gracePeriodSeconds") },
    { name: "create token", method: "POST", path: () => `/v1/organizations/${org.id}/tokens`, body: () => nestedObject("name") },
    { name: "create organization", method: "POST", path: () => "/v1/organizations", body: () => nestedObject("name") },
    {
      name: "secret-scanning alert",
      method: "POST",
      path: () => "/v1/secret-scanning/alerts",
      // An alert is an array: nest inside its first entry's url.
      body: () => {
        const frame = '[{"token":"x","type":"t","url":}]'.length;
        const depth = Math.floor((limit - frame) / 2);
        return `[{"token":"x","type":"t","url":${"[".repeat(depth)}${"]".repeat(depth)}}]`;
      },
      signed: true,
    },
  ];

  test.each(routes)("$name: 400 naming the depth limit, quickly, and the server keeps answering", async (route) => {
    const body = route.body();
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(limit);
    expect(Buffer.byteLength(body)).toBeGreaterThan(limit - 4);
    const headers = { "content-type": "application/json", authorization: `Bearer ${route.path() === "/v1/organizations" ? t.rootToken : org.token}` };
    const send = async () => {
      const started = performance.now();
      const answer = await t.api(route.method, route.path(), { rawBody: body, headers: route.signed ? { ...headers, ...github.headers(body) } : headers });
      return { answer, ms: performance.now() - started };
    };
    // Four at once, and a liveness probe while they are in flight.
    const inFlight = [send(), send(), send(), send()];
    const health = await t.api("GET", "/healthz");
    const results = await Promise.all(inFlight);
    expect(health.status).toBe(200);
    for (const { answer } of results) {
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("BAD_REQUEST");
      expect(answer.body.error.message).toContain("nests deeper than 32 levels");
    }
    const single = await send();
    expect(single.answer.status).toBe(400);
    // Timing is printed, not asserted: a loaded machine must not make this test flaky.
    console.log(
      `${route.name}: ${body.length} bytes nested; 4 concurrent answered in ${results.map((r) => r.ms.toFixed(1)).join(", ")} ms; alone ${single.ms.toFixed(1)} ms`,
    );
  });

  test("nesting up to the limit is still parsed and validated as usual", async () => {
    const ok = (depth: number) => `{"displayName":"deep","metadata":{"a":${"[".repeat(depth)}${"]".repeat(depth)}}}`;
    // 2 levels of objects + 30 arrays = 32: at the limit, so the schema answers (metadata values are strings).
    const atLimit = await t.api("POST", `/v1/organizations/${org.id}/keys`, {
      token: org.token,
      rawBody: ok(30),
      headers: { "content-type": "application/json" },
    });
    expect(atLimit.status).toBe(400);
    expect(atLimit.body.error.field).toBe("metadata.a");
    const over = await t.api("POST", `/v1/organizations/${org.id}/keys`, {
      token: org.token,
      rawBody: ok(31),
      headers: { "content-type": "application/json" },
    });
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain("nests deeper than 32 levels");
    // Brackets inside strings are text, not nesting.
    const inString = await t.api("POST", `/v1/organizations/${org.id}/keys`, {
      token: org.token,
      body: { displayName: "brackets", description: `${"[{".repeat(100)}\\"]`.repeat(3) },
    });
    expect(inString.status).toBe(201);
  });
});

describe("methods a route does not declare", () => {
  let t: TestServer;
  let org: TestOrganization;
  beforeAll(async () => ({ t, org } = await startServerWithOrganization("sqlite")));
  afterAll(async () => t.close());

  test.each([
    ["TRACE", () => `/v1/organizations/${org.id}/keys`, "GET, HEAD, POST"],
    ["PUT", () => `/v1/organizations/${org.id}/keys/key_0000000000aaaaaaaaaa`, "DELETE, GET, HEAD, PATCH"],
    ["OPTIONS", () => "/healthz", "GET, HEAD"],
    ["DELETE", () => "/v1/whoami", "GET, HEAD"],
    ["TRACE", () => "/v1/secret-scanning/alerts", "POST"],
    ["PATCH", () => "/openapi.json", "GET, HEAD"],
  ])("%s %s answers 405 with Allow: %s", async (method, path, allow) => {
    const answer = await rawRequest(`${t.url}${path()}`, method, { authorization: `Bearer ${org.token}` });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe(allow);
    const body = JSON.parse(answer.body);
    expect(body.error.code).toBe("METHOD_NOT_ALLOWED");
    expect(body.error.message).toContain(allow);
  });

  test("an unknown path stays 404 whatever the method", async () => {
    for (const method of ["GET", "TRACE", "PUT", "POST"]) {
      const answer = await rawRequest(`${t.url}/v1/nope`, method, { authorization: `Bearer ${org.token}` });
      expect(answer.status).toBe(404);
    }
  });
});
