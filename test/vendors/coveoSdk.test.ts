import PlatformClient, { ApiKeyStatus, ApiKeyStatusFilter, type ApiKeyModel, type CreateApiKeyModel } from "@coveo/platform-client";
import { CoveoEmulator } from "../emulators/coveo/coveoEmulator";
import { searchPrivilege } from "../helpers/fixtures";

/**
 * Coveo's own TypeScript client (@coveo/platform-client), pointed at our emulator, through every
 * API-key method it has. Code nobody here wrote is the check that the emulator (and so the backend
 * tested against it) speaks Coveo's language: a renamed field, a changed date type or a missing
 * route fails here, at compile time through the client's types and at run time on the fields our
 * backend reads.
 */
describe("Coveo's own client against the Coveo emulator", () => {
  const organizationId = "storefrontprod";
  const accessToken = "oauth-access-token";
  let emulator: CoveoEmulator;
  let client: PlatformClient;
  beforeEach(async () => {
    emulator = await CoveoEmulator.start({
      organizationId,
      accessToken,
      templates: { "search-template": [searchPrivilege] },
    });
    client = new PlatformClient({ host: emulator.url, organizationId, accessToken });
  });
  afterEach(async () => emulator.close());

  const declared: CreateApiKeyModel = {
    displayName: "storefront search",
    description: "owned by team web",
    privileges: [searchPrivilege],
    allowedIps: ["192.168.0.0/16"],
    lifetimeDuration: "P90D",
  };

  /** The fields the Coveo backend reads, with the types Coveo's ApiKeyModel gives them. */
  function expectModelShape(key: ApiKeyModel): void {
    expect(typeof key.id).toBe("string");
    expect(typeof key.enabled).toBe("boolean");
    expect(Array.isArray(key.privileges)).toBe(true);
    expect(typeof key.createdDate).toBe("number");
    if (key.expirationDate !== undefined) expect(typeof key.expirationDate).toBe("number");
    expect(Object.values(ApiKeyStatus)).toContain(key.status);
  }

  test("create answers the value once; get and list mask it", async () => {
    const created = await client.apiKey.create(declared);
    expectModelShape(created);
    expect(created.value).toMatch(/^xx[0-9a-f-]{36}$/);
    expect(created.expirationDate! - Date.now()).toBeGreaterThan(89 * 86_400_000);
    const fetched = await client.apiKey.get(created.id);
    expectModelShape(fetched);
    expect(fetched.value).not.toBe(created.value);
    expect(fetched.value).toMatch(/\*{10,}$/);
    expect(fetched).toMatchObject({
      displayName: "storefront search",
      description: "owned by team web",
      allowedIps: ["192.168.0.0/16"],
      privileges: declared.privileges,
    });
    const listed = await client.apiKey.list();
    expect(listed.map((k) => k.id)).toEqual([created.id]);
    expect(listed[0].value).not.toBe(created.value);
  });

  test("create from a template gives the template's privileges and records its id", async () => {
    const created = await client.apiKey.create({ displayName: "from template" }, { apiKeyTemplateId: "search-template" });
    expectModelShape(created);
    expect(created.apiKeyTemplateId).toBe("search-template");
    expect(created.privileges).toEqual([searchPrivilege]);
  });

  test("update changes what Coveo's PUT changes", async () => {
    const created = await client.apiKey.create(declared);
    await client.apiKey.update({ ...(await client.apiKey.get(created.id)), displayName: "renamed", deniedIps: ["10.0.0.1"] });
    expect(await client.apiKey.get(created.id)).toMatchObject({ displayName: "renamed", deniedIps: ["10.0.0.1"] });
  });

  test("disable, activate and toggle, one key and in bulk", async () => {
    const a = await client.apiKey.create(declared);
    const b = await client.apiKey.create({ ...declared, displayName: "second" });
    await client.apiKey.disable(a.id);
    expect(await client.apiKey.get(a.id)).toMatchObject({ enabled: false, status: ApiKeyStatus.DISABLED });
    await client.apiKey.activate(a.id);
    expect((await client.apiKey.get(a.id)).enabled).toBe(true);
    await client.apiKey.toggle(await client.apiKey.get(a.id));
    expect((await client.apiKey.get(a.id)).enabled).toBe(false);
    await client.apiKey.disable([a.id, b.id]);
    expect((await client.apiKey.list({ status: ApiKeyStatusFilter.DEACTIVATED })).map((k) => k.id).sort()).toEqual([a.id, b.id].sort());
    await client.apiKey.activate([a.id, b.id]);
    expect((await client.apiKey.list({ status: ApiKeyStatusFilter.ACTIVE })).map((k) => k.id).sort()).toEqual([a.id, b.id].sort());
  });

  test("duplicate makes a new key with the original's privileges and its own value", async () => {
    const original = await client.apiKey.create(declared);
    const copy = await client.apiKey.duplicate(original.id, { displayName: "copy", lifetimeDuration: "P1M" });
    expectModelShape(copy);
    expect(copy.id).not.toBe(original.id);
    expect(copy.value).toMatch(/^xx[0-9a-f-]{36}$/);
    expect(copy.value).not.toBe(original.value);
    expect(copy).toMatchObject({ displayName: "copy", privileges: declared.privileges, allowedIps: ["192.168.0.0/16"] });
    await expect(client.apiKey.duplicate(original.id, { lifetimeDuration: "soon" })).rejects.toMatchObject({ status: 400 });
  });

  test("extend keeps a key's activation; the bulk delete and the single delete remove keys", async () => {
    const a = await client.apiKey.create(declared);
    const b = await client.apiKey.create({ ...declared, displayName: "b" });
    const c = await client.apiKey.create({ ...declared, displayName: "c" });
    // Activated a minute ago (moved back in the emulator's store, instead of sleeping): extend moves it to now.
    emulator.keys.get(a.id)!.activationDate -= 60_000;
    const before = (await client.apiKey.get(a.id)).activationDate!;
    await client.apiKey.extend(a.id);
    expect((await client.apiKey.get(a.id)).activationDate!).toBeGreaterThan(before);
    await client.apiKey.delete([a.id, b.id]);
    await client.apiKey.delete(c.id);
    expect(await client.apiKey.list()).toEqual([]);
    await expect(client.apiKey.get(a.id)).rejects.toMatchObject({ status: 404 });
  });

  test("an exposure report reads as Coveo's ExposureReport, is listed by the exposure filters, and deactivates the key on its date", async () => {
    const created = await client.apiKey.create(declared);
    const deactivationDate = Date.now() + 3 * 86_400_000;
    emulator.reportExposure(created.id, { severity: "HIGH", source: "GITHUB", url: "https://github.com/acme/web/blob/main/.env", deactivationDate });
    const exposed = await client.apiKey.get(created.id);
    expect(exposed.exposureReport).toMatchObject({
      severity: "HIGH",
      deactivationDate,
      reasons: [{ source: "GITHUB", url: "https://github.com/acme/web/blob/main/.env" }],
    });
    expect(typeof exposed.exposureReport!.reasons[0].createdDate).toBe("number");
    expect((await client.apiKey.list({ status: ApiKeyStatusFilter.ACTIVE_AND_EXPOSED })).map((k) => k.id)).toEqual([created.id]);
    emulator.keys.get(created.id)!.exposureReport!.deactivationDate = Date.now() - 1;
    expect((await client.apiKey.get(created.id)).status).toBe(ApiKeyStatus.DISABLED_EXPOSED);
    expect(await client.apiKey.list({ status: ApiKeyStatusFilter.ACTIVE_AND_EXPOSED })).toEqual([]);
  });
});
