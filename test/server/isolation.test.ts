import { startTestServer, type TestServer } from "../helpers/testServer";

/** Every route that takes an organization id, with what it needs to be a valid request otherwise. */
const ORG_ROUTES: Array<{ method: string; path: (orgId: string, keyId: string) => string; body?: unknown }> = [
  { method: "GET", path: (o) => `/v1/organizations/${o}/keys` },
  { method: "POST", path: (o) => `/v1/organizations/${o}/keys`, body: { displayName: "stolen" } },
  { method: "GET", path: (o, k) => `/v1/organizations/${o}/keys/${k}` },
  { method: "PATCH", path: (o, k) => `/v1/organizations/${o}/keys/${k}`, body: { enabled: false } },
  { method: "DELETE", path: (o, k) => `/v1/organizations/${o}/keys/${k}` },
  { method: "POST", path: (o, k) => `/v1/organizations/${o}/keys/${k}/roll`, body: {} },
  { method: "GET", path: (o) => `/v1/organizations/${o}/audit` },
  { method: "POST", path: (o) => `/v1/organizations/${o}/tokens` },
];

describe("tenant isolation", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer("sqlite");
  });
  afterAll(async () => t.close());

  test.each(ORG_ROUTES)("$method on another organization's route answers 404, exactly like a missing id, and changes nothing", async (route) => {
    const a = await t.createOrganization("a");
    const b = await t.createOrganization("b");
    const bKey = await t.api("POST", `/v1/organizations/${b.id}/keys`, { token: b.token, body: { displayName: "b-key" } });
    const before = await t.api("GET", `/v1/organizations/${b.id}/keys/${bKey.body.id}`, { token: b.token });

    const crossTenant = await t.api(route.method, route.path(b.id, bKey.body.id), { token: a.token, body: route.body });
    const missing = await t.api(route.method, route.path("org_0000000000AAAAAAAAAA", bKey.body.id), { token: a.token, body: route.body });
    expect(crossTenant.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(crossTenant.body.error.code).toBe(missing.body.error.code);

    const after = await t.api("GET", `/v1/organizations/${b.id}/keys/${bKey.body.id}`, { token: b.token });
    expect(after.body).toEqual(before.body);
    expect((await t.api("GET", `/v1/organizations/${b.id}/keys`, { token: b.token })).body.items).toHaveLength(1);
    // A's own routes cannot reach B's key either.
    expect((await t.api("GET", `/v1/organizations/${a.id}/keys/${bKey.body.id}`, { token: a.token })).status).toBe(404);
  });

  test("an organization token cannot create organizations", async () => {
    const a = await t.createOrganization("a");
    expect((await t.api("POST", "/v1/organizations", { token: a.token, body: { name: "x" } })).status).toBe(401);
  });
});
