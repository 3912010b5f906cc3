import { ApiKeyProvider, CannotRotateError, KeyApiError } from "../../provider";
import { searchPrivilege } from "../helpers/fixtures";
import { coveoHarness } from "./harnesses";

describe("Coveo's own rules (contract emulator)", () => {
  let h: Awaited<ReturnType<typeof coveoHarness>>;
  beforeEach(async () => {
    h = await coveoHarness();
  });
  afterEach(async () => h.close());

  test("a grace period over Coveo's 30-day rotation cap fails check before any call; the emulator refuses it too", async () => {
    const result = await h.provider().check({}, { displayName: "k", rotation: { gracePeriodSeconds: 2_592_001 } });
    expect(result.failures).toEqual([expect.objectContaining({ property: "rotation.gracePeriodSeconds" })]);
    expect(h.emulator.requests).toEqual([]);
    // Straight to the emulator: the vendor's own limit, which is why check has it.
    const created = await h.provider().create(await h.checked({ displayName: "k" }));
    const answer = await fetch(`${h.emulator.url}/rest/organizations/${h.emulator.options.organizationId}/apikeys/rotate`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.emulator.options.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({ rotationSecret: created.outs!.rotationSecret, previousKeyExpirationPeriod: "P31D" }),
    });
    expect(answer.status).toBe(400);
  });

  test("rotation sends the stored rotation secret and maps gracePeriodSeconds to previousKeyExpirationPeriod", async () => {
    const p = h.provider();
    const created = await p.create(await h.checked({ displayName: "k", privileges: [searchPrivilege], rotation: { trigger: "a", gracePeriodSeconds: 3600 } }));
    expect(created.outs!.rotationSecret).toEqual(expect.any(String));
    const before = Date.now();
    const news = await h.checked({ displayName: "k", privileges: [searchPrivilege], rotation: { trigger: "b", gracePeriodSeconds: 3600 } }, created.outs!);
    const updated = await p.update(created.id, created.outs!, news);
    const old = h.emulator.keys.get(created.id)!;
    expect(old.expirationDate! - before).toBeGreaterThanOrEqual(3_600_000 - 1000);
    expect(old.expirationDate! - before).toBeLessThan(3_600_000 + 5000);
    expect(old.status).not.toBe("EXPIRED"); // still works through the grace period
    expect(updated.outs!.rotationSecret).not.toBe(created.outs!.rotationSecret);
    const successor = h.emulator.keys.get(updated.outs!.keyId)!;
    expect(successor.value).toBe(updated.outs!.secret);
    expect(successor.privileges).toEqual([searchPrivilege]);
    // The spent rotation secret cannot rotate again.
    expect(old.rotationSecret).toBeUndefined();
  });

  test("an adopted key (no rotation secret in the stack) cannot be rotated: check says what to do, and the API call fails without touching the key", async () => {
    const p = h.provider();
    const made = await p.create(await h.checked({ displayName: "made by hand", privileges: [searchPrivilege] }));
    const adopted = await p.create(
      await h.checked({ displayName: "made by hand", privileges: [searchPrivilege], adoptKeyId: made.id, rotation: { trigger: "a" } }),
    );
    expect(adopted.outs!.rotationSecret).toBeUndefined();
    const declared = { displayName: "made by hand", privileges: [searchPrivilege], adoptKeyId: made.id, rotation: { trigger: "b" } };
    expect((await p.check(adopted.outs!, declared)).failures).toEqual([
      { property: "rotation.trigger", reason: expect.stringContaining("the coveo backend cannot give an adopted key a new secret") },
    ]);
    // A state written before check refused it: the rotation itself fails with what to do.
    const rotating = p.update(adopted.id, adopted.outs!, { ...adopted.outs!, rotation: { trigger: "b" } });
    await expect(rotating).rejects.toBeInstanceOf(CannotRotateError);
    await expect(rotating).rejects.toThrow(/holds no Coveo rotation secret.*remove adoptKeyId or change a replacing property/);
    expect(h.emulator.keys.get(made.id)!.status).not.toBe("EXPIRED");
    expect([...h.emulator.keys.keys()]).toEqual([made.id]);
  });

  test("a key with a lifetime is rotated in place once its expiry is within renewBeforeExpiry; the successor gets the lifetime again", async () => {
    const declared = { displayName: "k", privileges: [searchPrivilege], lifetime: "P30D", rotation: { renewBeforeExpiry: "P7D", gracePeriodSeconds: 3600 } };
    const created = await h.provider().create(await h.checked(declared));
    expect(Date.parse(created.outs!.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    // A provider 24 days later: the key expires in 6 days.
    const later = new ApiKeyProvider({ env: h.env, now: () => new Date(Date.now() + 24 * 86_400_000) });
    const news = (await later.check(created.outs!, declared)).inputs;
    expect(await later.diff(created.id, created.outs!, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const renewed = await later.update(created.id, created.outs!, news);
    expect(renewed.outs!.keyId).not.toBe(created.id);
    expect(h.emulator.keys.get(renewed.outs!.keyId)!.expirationDate! - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(await h.provider().diff(created.id, renewed.outs!, news)).toMatchObject({ changes: false });
  });

  test("targetIds become one Coveo privilege per targetId and read back as one declaration (no perpetual diff)", async () => {
    const p = h.provider();
    const declared = { displayName: "k", privileges: [{ owner: "CONTENT", targetDomain: "SOURCE", type: "EDIT", targetIds: ["products-eu", "products-us"] }] };
    const created = await p.create(await h.checked(declared));
    expect(h.emulator.keys.get(created.id)!.privileges).toEqual([
      { owner: "CONTENT", targetDomain: "SOURCE", type: "EDIT", targetId: "products-eu" },
      { owner: "CONTENT", targetDomain: "SOURCE", type: "EDIT", targetId: "products-us" },
    ]);
    const read = await p.read(created.id, created.outs!);
    expect((await p.diff(created.id, read.props!, await h.checked(declared))).changes).toBe(false);
  });

  test("allowed and denied IPs and additionalConfiguration update in place; lifetime and template replace", async () => {
    const p = h.provider();
    const created = await p.create(await h.checked({ displayName: "k", allowedIps: ["10.0.0.0/8"], lifetime: "P90D" }));
    expect(h.emulator.keys.get(created.id)!.expirationDate).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    const news = await h.checked({
      displayName: "k",
      allowedIps: ["10.0.0.0/8", "192.168.1.4"],
      deniedIps: ["10.1.0.0/16"],
      additionalConfiguration: { search: { enforcedQueryPipelineConfiguration: { searchHub: "storefront" } } },
      lifetime: "P90D",
    });
    expect((await p.diff(created.id, created.outs!, news)).replaces).toEqual([]);
    await p.update(created.id, created.outs!, news);
    expect(h.emulator.keys.get(created.id)).toMatchObject({
      allowedIps: ["10.0.0.0/8", "192.168.1.4"],
      deniedIps: ["10.1.0.0/16"],
      additionalConfiguration: { search: { enforcedQueryPipelineConfiguration: { searchHub: "storefront" } } },
    });
    const read = await p.read(created.id, created.outs!);
    expect((await p.diff(created.id, read.props!, news)).changes).toBe(false);
    expect((await p.diff(created.id, read.props!, { ...news, lifetime: "P30D" })).replaces).toEqual(["lifetime"]);
    expect((await p.diff(created.id, read.props!, { ...news, templateId: "anonymous-search" })).replaces).toEqual(["templateId"]);
  });

  test("inputs Coveo has no counterpart for fail check and name the backend", async () => {
    const result = await h.provider().check({}, { displayName: "k", environment: "live", expiresAt: "2030-01-01T00:00:00Z", isInternal: true });
    expect(result.failures).toEqual([
      { property: "environment", reason: expect.stringContaining("the coveo backend does not support environment") },
      { property: "expiresAt", reason: expect.stringContaining("use lifetime") },
      { property: "isInternal", reason: expect.stringContaining("is a setting of the didomi backend") },
    ]);
    expect((await h.provider().check({}, { displayName: "k", allowedIps: ["not-an-ip"] })).failures).toEqual([
      { property: "allowedIps[0]", reason: expect.stringContaining("CIDR") },
    ]);
  });

  test("429s are retried with backoff; an error keeps Coveo's message and request id", async () => {
    h.emulator.injectResponses(2, { status: 429, headers: { "retry-after": "0" }, body: { message: "Too many requests", errorCode: "TOO_MANY_REQUESTS" } });
    const created = await h.provider().create(await h.checked({ displayName: "k" }));
    expect(h.emulator.keys.size).toBe(1);
    expect(created.outs!.secret).toBe(h.emulator.keys.get(created.id)!.value);

    const tooLong = { displayName: "k", description: "x".repeat(1000) };
    h.emulator.injectResponses(1, {
      status: 400,
      body: { message: "description must be a string of at most 1000 characters.", errorCode: "INVALID_PARAMETER", requestID: "req-4242" },
    });
    const error = await h
      .provider()
      .create(await h.checked(tooLong))
      .catch((e) => e);
    expect(error).toBeInstanceOf(KeyApiError);
    expect(error.message).toContain("400 INVALID_PARAMETER: description must be a string of at most 1000 characters.");
    expect(error.message).toMatch(/request [0-9a-f-]{36}|request req-4242/);
    expect(error.message).not.toContain(h.emulator.options.accessToken);
  });

  test("a create whose answer is lost leaves exactly one key, and the stack holds that key's secret", async () => {
    h.emulator.loseNextResponse();
    const created = await h.provider().create(await h.checked({ displayName: "lost answer", description: "d" }));
    expect(h.emulator.keys.size).toBe(1);
    expect(h.emulator.keys.get(created.id)!.value).toBe(created.outs!.secret);
  });

  test("an API key cannot manage keys: the error says to use an OAuth2 access token", async () => {
    const created = await h.provider().create(await h.checked({ displayName: "k" }));
    const provider = new (require("../../provider").ApiKeyProvider)({ env: { ...h.env, APIKEYS_TOKEN: created.outs!.secret } });
    const error = await provider.create(await h.checked({ displayName: "k2" })).catch((e: Error) => e);
    expect(error.message).toContain("403 ACCESS_DENIED: An API key cannot be used to manage API keys");
    expect(error.message).not.toContain(created.outs!.secret);
  });

  test("the endpoint defaults to Coveo's host for the region", async () => {
    const { resolveConnection } = require("../../provider/connection/resolveConnection");
    expect(resolveConnection({ backend: "coveo", region: "eu" }, {}, { APIKEYS_TOKEN: "t", APIKEYS_ORGANIZATION_ID: "o" }).endpoint).toBe(
      "https://platform-eu.cloud.coveo.com",
    );
    expect(resolveConnection({ backend: "coveo" }, {}, { APIKEYS_TOKEN: "t", APIKEYS_ORGANIZATION_ID: "o" }).endpoint).toBe("https://platform.cloud.coveo.com");
    const referenceWithRegion = await h.provider().check({}, { displayName: "k", connection: { backend: "reference", region: "eu" } });
    expect(referenceWithRegion.failures).toEqual([expect.objectContaining({ property: "connection.region" })]);
  });
});
