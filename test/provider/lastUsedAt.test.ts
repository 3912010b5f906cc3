import { BACKENDS } from "../../provider/backends/registry";
import { packageSchema } from "../../provider/native/schema";
import { coveoHarness, didomiHarness } from "../vendors/harnesses";
import { providerFixture, type ProviderFixture } from "../helpers/providerFixture";
import { searchPrivilege } from "../helpers/fixtures";

/**
 * The credential report's input: `lastUsedAt`, recorded by the provider's read (what `pulumi refresh`
 * calls) from what each key API reports, and never a reason to change or replace a key.
 */

describe("lastUsedAt on the reference server", () => {
  let f: ProviderFixture;
  beforeEach(async () => {
    f = await providerFixture();
  });
  afterEach(async () => f.close());

  test("absent on a new key; a refresh after a verification records the server's time of use; no diff follows", async () => {
    const p = f.provider();
    const inputs = await f.checked({ displayName: "search", privileges: [searchPrivilege] });
    const created = await p.create(inputs);
    expect(created.outs!.lastUsedAt).toBeUndefined();
    expect((await p.read(created.id, created.outs!)).props!.lastUsedAt).toBeUndefined();

    // The server's clock, not the test's: the use is recorded when the server saw it.
    f.server.clock.advance(3 * 86_400);
    const usedAt = f.server.clock.now().getTime();
    expect((await f.whoami(created.outs!.secret!)).status).toBe(200);
    const read = await p.read(created.id, created.outs!);
    const recorded = Date.parse(read.props!.lastUsedAt!);
    expect(Math.abs(recorded - usedAt)).toBeLessThan(5_000);
    expect(read.props!.secret).toBe(created.outs!.secret);

    // Recorded only: the same declaration is no change at all, on either kind of provider's diff.
    expect(await p.diff(created.id, read.props!, inputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(p.diffProperties(read.props!, inputs)).toEqual({ changedProperties: [], replaces: [], rotates: [] });
  });

  test("an update that makes no API call keeps the recorded use; one that asks the API takes its answer", async () => {
    const p = f.provider();
    const created = await p.create(await f.checked({ displayName: "search", privileges: [searchPrivilege] }));
    expect((await f.whoami(created.outs!.secret!)).status).toBe(200);
    const read = await p.read(created.id, created.outs!);
    const recorded = read.props!.lastUsedAt;
    expect(recorded).toEqual(expect.any(String));

    // A new grace period changes only what the provider stores.
    const graceOnly = await f.checked({ displayName: "search", privileges: [searchPrivilege], rotation: { gracePeriodSeconds: 60 } });
    const kept = await p.update(created.id, read.props!, graceOnly);
    expect(kept.outs!.lastUsedAt).toBe(recorded);

    const renamed = await f.checked({ displayName: "search v2", privileges: [searchPrivilege], rotation: { gracePeriodSeconds: 60 } });
    const updated = await p.update(created.id, kept.outs!, renamed);
    expect(updated.outs!.lastUsedAt).toBe(recorded);
    expect(updated.outs!.displayName).toBe("search v2");
  });

  test("a stored use the API no longer reports (a replaced key's successor) is not carried over by a read", async () => {
    const p = f.provider();
    const created = await p.create(await f.checked({ displayName: "search" }));
    const stale = { ...created.outs!, lastUsedAt: "2020-01-01T00:00:00.000Z" };
    expect((await p.read(created.id, stale)).props!.lastUsedAt).toBeUndefined();
  });
});

describe("lastUsedAt from the vendors' APIs (contract emulators)", () => {
  test("Coveo: lastUsedDate (epoch milliseconds, ApiKeyModel) becomes lastUsedAt on refresh, and is never a change", async () => {
    const coveo = await coveoHarness();
    try {
      const p = coveo.provider();
      const inputs = await coveo.checked({ displayName: "storefront search", privileges: [searchPrivilege] });
      const created = await p.create(inputs);
      expect(created.outs!.lastUsedAt).toBeUndefined();
      const usedAt = Date.UTC(2026, 10, 2, 9, 30);
      coveo.emulator.recordUse(created.id, usedAt);
      const read = await p.read(created.id, created.outs!);
      expect(read.props!.lastUsedAt).toBe(new Date(usedAt).toISOString());
      expect(await p.diff(created.id, read.props!, inputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    } finally {
      await coveo.close();
    }
  });

  test("Didomi: its API reports no last use, so none is recorded and the descriptor says so", async () => {
    const didomi = await didomiHarness();
    try {
      const p = didomi.provider();
      const created = await p.create(await didomi.checked({ displayName: "consent export" }));
      expect((await p.read(created.id, created.outs!)).props!.lastUsedAt).toBeUndefined();
    } finally {
      await didomi.close();
    }
    expect(Object.fromEntries(Object.entries(BACKENDS).map(([name, d]) => [name, d.reportsLastUse]))).toEqual({
      reference: true,
      coveo: true,
      didomi: false,
      // A described API reports last use when its description has answer.lastUsedAt: known per connection only,
      // so the report judges such a key by its recorded lastUsedAt, or by its own description (test/review/credentials/describedApi.test.ts).
      http: false,
    });
  });
});

test("the native schema has lastUsedAt as an output only, not an input", () => {
  const resource = (packageSchema("0.0.0").resources as Record<string, { properties: object; inputProperties: object }>)["apikeys:index:ApiKey"];
  expect(resource.properties).toHaveProperty("lastUsedAt", expect.objectContaining({ type: "string" }));
  expect(resource.inputProperties).not.toHaveProperty("lastUsedAt");
});
