import { searchPrivilege } from "../helpers/fixtures";
import { callApi, startTestServer, type TestServer } from "../helpers/testServer";

/**
 * GET /v1/whoami is answered by a fast path before Hono (server/http/fastWhoami.ts). Any other form
 * of the same request (a query string) goes through the Hono route. Both must answer alike: same
 * status, body, headers and log line, for every kind of key and refusal.
 */
describe("the GET /v1/whoami fast path", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
  });
  afterAll(async () => t.close());

  const strip = (answer: { status: number; body: any; headers: Headers }) => ({
    status: answer.status,
    body: answer.body?.error ? { ...answer.body, error: { ...answer.body.error, requestId: typeof answer.body.error.requestId } } : answer.body,
    headers: Object.fromEntries(
      ["content-type", "content-length", "transfer-encoding", "cache-control", "x-content-type-options", "retry-after"].map((h) => [h, answer.headers.get(h)]),
    ),
    requestId: /^req_/.test(answer.headers.get("x-request-id") ?? ""),
  });

  test("answers exactly as the routed request does, for a valid, unknown, missing, disabled and revoked key", async () => {
    const org = await t.createOrganization();
    const keys = `/v1/organizations/${org.id}/keys`;
    const make = async () =>
      (
        await t.api("POST", keys, {
          token: org.token,
          body: { displayName: "k", privileges: [searchPrivilege] },
        })
      ).body;
    const valid = await make();
    const disabled = await make();
    await t.api("PATCH", `${keys}/${disabled.id}`, { token: org.token, body: { enabled: false } });
    const revoked = await make();
    await t.api("DELETE", `${keys}/${revoked.id}`, { token: org.token });
    const cases: Array<Record<string, string>> = [
      { authorization: `Api-Key ${valid.secret}` },
      { authorization: `Bearer ${valid.secret}` },
      { "x-client-id": valid.id, "x-api-key": valid.secret },
      { authorization: `Api-Key ${valid.secret.slice(0, -3)}xyz` },
      {},
      { authorization: `Api-Key ${disabled.secret}` },
      { authorization: `Api-Key ${revoked.secret}` },
    ];
    for (const headers of cases) {
      const fast = await callApi(t.url, "GET", "/v1/whoami", { headers });
      const routed = await callApi(t.url, "GET", "/v1/whoami?via=hono", { headers });
      expect(strip(fast)).toEqual(strip(routed));
    }
    // Both were logged, the same way, without the secret.
    const lines = t.logs.map((l) => JSON.parse(l)).filter((l) => l.path === "/v1/whoami");
    expect(lines.length).toBeGreaterThanOrEqual(cases.length * 2);
    expect(t.logs.join("\n")).not.toContain(valid.secret);
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(["durationMs", "method", "path", "requestId", "status", "time"]);
  });
});
