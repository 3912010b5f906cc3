import { startServer } from "../../server/index";
import { startServerWithOrganization, type TestOrganization } from "../helpers/fixtures";
import { callApi, type TestServer } from "../helpers/testServer";

describe("responses, logs and stored text (reference server)", () => {
  let t: TestServer;
  let org: TestOrganization;
  beforeEach(async () => ({ t, org } = await startServerWithOrganization("sqlite", { rateLimitPerSecond: 0 })));
  afterEach(async () => t.close());

  test("every API answer carries Cache-Control: no-store and nosniff, the 201 with a new secret included", async () => {
    const created = await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "k" } });
    const answers = [
      created,
      await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: org.token }),
      await t.api("GET", "/v1/whoami", { headers: { authorization: `Api-Key ${created.body.secret}` } }),
      await t.api("GET", "/v1/whoami"),
      await t.api("GET", "/v1/nope"),
      await t.api("GET", "/healthz"),
      await t.api("GET", "/openapi.json"),
    ];
    for (const answer of answers) {
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  test("a secret or token pasted into a URL path is not written to the log", async () => {
    const created = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "k" } })).body;
    await t.api("GET", `/v1/organizations/${org.id}/keys/${created.secret}`, { token: org.token });
    await t.api("GET", `/v1/organizations/${org.token}/keys`, { token: org.token });
    await t.api("GET", `/${created.secret.slice(0, 20)}`);
    const logs = t.logs.join("\n");
    expect(logs).not.toContain(created.secret);
    expect(logs).not.toContain(created.secret.slice(0, 20));
    expect(logs).not.toContain(org.token);
    expect(logs).toContain("ak_test_[redacted]");
  });

  test("a secret or token glued to other text in a URL is not written to the log", async () => {
    const created = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "k" } })).body;
    await t.api("GET", `/v1/organizations/${org.id}/keys/key_${created.secret}`, { token: org.token });
    await t.api("GET", `/v1/organizations/${org.id}/keys/token${created.secret}`, { token: org.token });
    await t.api("GET", `/v1/organizations/tok_${org.token}/keys`, { token: org.token });
    await t.api("GET", `/v1/organizations/x-${t.rootToken}/keys`, { token: org.token });
    const logs = t.logs.join("\n");
    expect(logs).not.toContain(created.secret);
    expect(logs).not.toContain(org.token);
    expect(logs).not.toContain(t.rootToken);
    // Words that merely end in "at_" or "rt_" are not credentials.
    await t.api("GET", "/v1/format_abcdefgh/start_abcdefgh");
    expect(t.logs.join("\n")).toContain("/v1/format_abcdefgh/start_abcdefgh");
  });

  test("the operator's root token, whatever its shape, is redacted from every log line", async () => {
    // What `openssl rand -base64 32` prints: letters, digits, +, / and =, nothing like our prefixes.
    const rootToken = "q7+Zk/3XvBn9Lr+0wYhT1u/EcfoPj4mDs8aN2bVxKiE=";
    const logs: string[] = [];
    const server = await startServer({ databaseUrl: t.databaseUrl.replace(/\.db$/, "-root.db"), rootToken, log: (line) => logs.push(JSON.stringify(line)) });
    try {
      await callApi(server.url, "GET", `/v1/organizations/${encodeURIComponent(rootToken)}/keys`, { token: rootToken });
      await callApi(server.url, "GET", `/v1/organizations/${rootToken}/keys`, { token: rootToken });
      await callApi(server.url, "GET", `/v1/organizations/key${rootToken}tail`, { token: rootToken });
      expect(logs.length).toBeGreaterThanOrEqual(3);
      const text = logs.join("\n");
      expect(text).not.toContain(rootToken);
      expect(text).not.toContain(encodeURIComponent(rootToken));
      expect(text).not.toContain(JSON.stringify(rootToken).slice(1, -1));
      expect(text).toContain("[redacted]");
    } finally {
      await server.close();
    }
  });

  test("metadata key __proto__ is refused naming the field, not silently dropped", async () => {
    const answer = await t.api("POST", `/v1/organizations/${org.id}/keys`, {
      token: org.token,
      rawBody: '{"displayName":"k","metadata":{"__proto__":"x","team":"a"}}',
      headers: { "content-type": "application/json" },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe("metadata.__proto__");
    expect((await t.api("GET", `/v1/organizations/${org.id}/keys`, { token: org.token })).body.items).toEqual([]);
  });

  test.each([
    ["NUL", "a\u0000b"],
    ["ESC (terminal escape)", "a\u001b[31mred"],
    ["CR/LF", "line\r\nbreak"],
    ["right-to-left override U+202E", "invoice\u202Efdp.exe"],
    ["zero-width space", "ad\u200bmin"],
  ])("a display name with %s is refused naming the field", async (_what, displayName) => {
    const created = await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName } });
    expect(created.status).toBe(400);
    expect(created.body.error.field).toBe("displayName");
    const key = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "fine" } })).body;
    const updated = await t.api("PATCH", `/v1/organizations/${org.id}/keys/${key.id}`, { token: org.token, body: { displayName } });
    expect(updated.status).toBe(400);
    expect(updated.body.error.field).toBe("displayName");
  });

  test("names people use are accepted: accents, CJK, emoji, a description with line breaks", async () => {
    for (const displayName of ["Café crème", "検索キー", "search 🔍", "ZWJ family 👨‍👩‍👧"]) {
      const answer = await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName, description: "line one\nline two" } });
      expect([displayName, answer.status]).toEqual([displayName, 201]);
    }
  });
});
