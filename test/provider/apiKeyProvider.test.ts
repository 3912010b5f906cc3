import { ApiKeyProvider, KeyApiError } from "../../provider";
import { searchPrivilege } from "../helpers/fixtures";
import { providerFixture, type ProviderFixture } from "../helpers/providerFixture";

const view = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW", targetIds: ["*"] };

describe("ApiKeyProvider's hooks against the reference server", () => {
  let f: ProviderFixture;
  beforeEach(async () => {
    f = await providerFixture();
  });
  afterEach(async () => f.close());

  const keysPath = () => `/v1/organizations/${f.org.id}/keys`;
  const listKeys = async () => (await f.server.api("GET", keysPath(), { token: f.org.token })).body.items as Array<Record<string, any>>;

  test("create makes one key whose secret authenticates, and outputs what the API stored", async () => {
    const inputs = await f.checked({ displayName: "search", environment: "live", privileges: [searchPrivilege], description: "storefront" });
    const created = await f.provider().create(inputs);
    expect(created.outs).toMatchObject({
      keyId: created.id,
      displayName: "search",
      environment: "live",
      enabled: true,
      privileges: [searchPrivilege],
      secretAvailable: true,
      organizationId: f.org.id,
      backend: "reference",
    });
    expect(created.outs!.secret).toMatch(/^ak_live_/);
    expect(created.outs!.hint).toBe(`${created.outs!.secret!.slice(0, 12)}…`);
    expect((await f.whoami(created.outs!.secret!)).body.keyId).toBe(created.id);
    expect(await listKeys()).toHaveLength(1);
  });

  test("update changes privileges in place: same key, same secret still valid", async () => {
    const p = f.provider();
    const created = await p.create(await f.checked({ displayName: "search", privileges: [searchPrivilege] }));
    const news = await f.checked({ displayName: "search", privileges: [searchPrivilege, view] });
    expect((await p.diff(created.id, created.outs!, news)).replaces).toEqual([]);
    const updated = await p.update(created.id, created.outs!, news);
    expect(updated.outs).toMatchObject({ keyId: created.id, secret: created.outs!.secret, privileges: [searchPrivilege, view] });
    const who = await f.whoami(created.outs!.secret!);
    expect(who.body.privileges).toEqual([searchPrivilege, view]);
    expect(await listKeys()).toHaveLength(1);
  });

  test("read keeps the secret from state and reports changes made out of band; update restores the declaration", async () => {
    const p = f.provider();
    const inputs = await f.checked({ displayName: "search", privileges: [searchPrivilege] });
    const created = await p.create(inputs);
    await f.server.api("PATCH", `${keysPath()}/${created.id}`, { token: f.org.token, body: { enabled: false, privileges: [view] } });

    const read = await p.read(created.id, created.outs!);
    expect(read.props).toMatchObject({ keyId: created.id, enabled: false, privileges: [view], secret: created.outs!.secret });
    const diff = await p.diff(created.id, read.props!, inputs);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    await p.update(created.id, read.props!, inputs);
    expect((await f.whoami(created.outs!.secret!)).body).toMatchObject({ keyId: created.id, privileges: [searchPrivilege] });
  });

  test("read of a key deleted out of band answers an empty id so refresh drops it", async () => {
    const p = f.provider();
    const created = await p.create(await f.checked({ displayName: "search" }));
    await f.server.api("DELETE", `${keysPath()}/${created.id}`, { token: f.org.token });
    expect(await p.read(created.id, created.outs!)).toEqual({ id: "" });
  });

  test("delete revokes; deleting a key that is already gone succeeds", async () => {
    const p = f.provider();
    const created = await p.create(await f.checked({ displayName: "search" }));
    await p.delete(created.id, created.outs!);
    expect((await f.whoami(created.outs!.secret!)).body.error.reason).toBe("REVOKED");
    await expect(p.delete(created.id, created.outs!)).resolves.toBeUndefined();
    expect(await listKeys()).toHaveLength(0);
  });

  test("replacement with a grace period: the new key exists first, the old one keeps working until the grace ends", async () => {
    const p = f.provider();
    const old = await p.create(await f.checked({ displayName: "search", rotation: { trigger: "v1", gracePeriodSeconds: 600 } }));
    const news = await f.checked({ displayName: "search", rotation: { trigger: "v2", gracePeriodSeconds: 600 } });
    expect((await p.diff(old.id, old.outs!, news)).replaces).toEqual(["rotation.trigger"]);
    // The engine's order for deleteBeforeReplace: false: create the replacement, then delete the old key.
    const replacement = await p.create(news);
    await p.delete(old.id, old.outs!);
    expect((await f.whoami(old.outs!.secret!)).status).toBe(200);
    expect((await f.whoami(replacement.outs!.secret!)).status).toBe(200);
    f.server.clock.advance(601);
    expect((await f.whoami(old.outs!.secret!)).body.error.reason).toBe("REVOKED");
    expect((await f.whoami(replacement.outs!.secret!)).status).toBe(200);
    const audit = (await f.server.api("GET", `/v1/organizations/${f.org.id}/audit`, { token: f.org.token })).body.items.map(
      (e: any) => `${e.action}:${e.keyId}`,
    );
    expect(audit).toEqual([
      `organization.create:null`,
      `token.create:null`,
      `key.create:${old.id}`,
      `key.create:${replacement.id}`,
      `key.revoke_scheduled:${old.id}`,
    ]);
  });

  test("adoptKeyId takes over an existing key without creating one, and says the secret is unknown", async () => {
    const existing = (await f.server.api("POST", keysPath(), { token: f.org.token, body: { displayName: "made by hand", privileges: [view] } })).body;
    const p = f.provider();
    const adopted = await p.create(await f.checked({ displayName: "search", privileges: [searchPrivilege], adoptKeyId: existing.id }));
    expect(adopted.id).toBe(existing.id);
    expect(adopted.outs).toMatchObject({ keyId: existing.id, displayName: "search", privileges: [searchPrivilege], secretAvailable: false });
    expect(adopted.outs!.secret).toBeUndefined();
    expect((await f.whoami(existing.secret)).body.privileges).toEqual([searchPrivilege]);
    expect(await listKeys()).toHaveLength(1);
    await expect(p.create(await f.checked({ displayName: "x", adoptKeyId: "key_0000000000AAAAAAAAAA" }))).rejects.toThrow(
      `adoptKeyId: key key_0000000000AAAAAAAAAA does not exist in organization ${f.org.id}; check the id or remove adoptKeyId to create a new key`,
    );
  });

  test("a rotation of an adopted key gives it a new secret in place: the key is never deleted by its own replacement", async () => {
    const existing = (await f.server.api("POST", keysPath(), { token: f.org.token, body: { displayName: "made by hand" } })).body;
    const p = f.provider();
    const adopted = await p.create(await f.checked({ displayName: "legacy", adoptKeyId: existing.id, rotation: { trigger: "v1", gracePeriodSeconds: 600 } }));
    const news = await f.checked({ displayName: "legacy", adoptKeyId: existing.id, rotation: { trigger: "v2", gracePeriodSeconds: 600 } }, adopted.outs!);
    const diff = await p.diff(adopted.id, adopted.outs!, news);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const rolled = await p.update(adopted.id, adopted.outs!, news);
    expect(rolled.outs).toMatchObject({ keyId: existing.id, secretAvailable: true });
    expect((await f.whoami(rolled.outs!.secret!)).body.keyId).toBe(existing.id);
    // Whoever held the old secret has the grace period to stop using it.
    expect((await f.whoami(existing.secret)).status).toBe(200);
    f.server.clock.advance(601);
    expect((await f.whoami(existing.secret)).status).toBe(401);
    expect((await f.whoami(rolled.outs!.secret!)).status).toBe(200);
    expect(await listKeys()).toHaveLength(1);
  });

  test("rotation.rollOnAdopt: adoption issues a fresh secret at once, and the old one works only through the grace period", async () => {
    const existing = (await f.server.api("POST", keysPath(), { token: f.org.token, body: { displayName: "made by hand" } })).body;
    const adopted = await f
      .provider()
      .create(await f.checked({ displayName: "legacy", adoptKeyId: existing.id, rotation: { rollOnAdopt: true, gracePeriodSeconds: 300 } }));
    expect(adopted.outs).toMatchObject({ keyId: existing.id, secretAvailable: true });
    expect((await f.whoami(adopted.outs!.secret!)).body.keyId).toBe(existing.id);
    expect((await f.whoami(existing.secret)).status).toBe(200);
    f.server.clock.advance(301);
    expect((await f.whoami(existing.secret)).status).toBe(401);
    // Without adoptKeyId it means nothing: check says so.
    expect((await f.provider().check({}, { displayName: "k", rotation: { rollOnAdopt: true } })).failures).toEqual([
      { property: "rotation.rollOnAdopt", reason: "only applies with adoptKeyId; remove it, or set adoptKeyId to the key to take over" },
    ]);
  });

  test("connection settings: the resource's own beat stack config, which beats the environment", async () => {
    const other = await f.server.createOrganization("other");
    const p = new ApiKeyProvider({ env: { APIKEYS_ENDPOINT: f.server.url, APIKEYS_TOKEN: "at_wrong", APIKEYS_ORGANIZATION_ID: "org_0000000000AAAAAAAAAA" } });
    await p.configure({ config: { get: (k: string) => ({ "apikeys:token": f.org.token, "apikeys:organizationId": f.org.id })[k], require: () => "" } as any });
    const viaConfig = await p.create(await f.checked({ displayName: "via config" }));
    expect(viaConfig.outs!.organizationId).toBe(f.org.id);
    const viaResource = await p.create(await f.checked({ displayName: "via resource", connection: { organizationId: other.id, token: other.token } }));
    expect(viaResource.outs!.organizationId).toBe(other.id);
    expect((await f.whoami(viaResource.outs!.secret!)).body.organizationId).toBe(other.id);
  });

  test("API errors name the key, the operation, the status and the server's message, and no token", async () => {
    const p = new ApiKeyProvider({ env: { ...f.env, APIKEYS_TOKEN: "at_revokedTokenValue123" } });
    const error = await p.create(await f.checked({ displayName: "search" })).catch((e) => e);
    expect(error).toBeInstanceOf(KeyApiError);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(
      /^creating API key "search" failed: 401 UNAUTHENTICATED: the bearer token was refused: this server does not know it .*POST \/v1\/organizations\/\{orgId\}\/tokens.* \(request req_\w+\)$/,
    );
    expect(`${error.message}${error.stack}${JSON.stringify(error)}`).not.toContain("at_revokedTokenValue123");

    const created = await f.provider().create(await f.checked({ displayName: "search" }));
    await f.server.api("DELETE", `${keysPath()}/${created.id}`, { token: f.org.token });
    const news = await f.checked({ displayName: "search", enabled: false });
    await expect(f.provider().update(created.id, created.outs!, news)).rejects.toThrow(
      `updating API key "search" (${created.id}) failed: it no longer exists on the key API; run \`pulumi refresh\` so the next \`pulumi up\` creates it again`,
    );
  });
});
