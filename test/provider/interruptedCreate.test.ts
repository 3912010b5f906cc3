import { searchPrivilege } from "../helpers/fixtures";
import { providerFixture, type ProviderFixture } from "../helpers/providerFixture";

const labels = { "managed-by": "pulumi", "pulumi:project": "shop", "pulumi:stack": "prod", "pulumi:resource": "search" };
const declared = {
  displayName: "search",
  environment: "live",
  privileges: [searchPrivilege],
  metadata: labels,
};

/** The create of a run that died after the API made the key, before the engine saved it to state. */
describe("create after an interrupted run (the engine killed mid-up)", () => {
  let f: ProviderFixture;
  beforeEach(async () => {
    f = await providerFixture();
  });
  afterEach(async () => f.close());
  const liveKeys = async () =>
    ((await f.server.api("GET", `/v1/organizations/${f.org.id}/keys`, { token: f.org.token })).body.items as any[]).filter((k) => k.status !== "revoked");

  test("the next run's create of the same declaration gets the orphan back, with a new secret: one key, no orphan", async () => {
    const lost = await f.provider().create(await f.checked(declared)); // its answer never reached state
    const again = await f.provider().create(await f.checked(declared));
    expect(again.id).toBe(lost.id);
    expect(await liveKeys()).toHaveLength(1);
    expect((await f.whoami(again.outs!.secret!)).body.keyId).toBe(again.id);
    expect((await f.whoami(lost.outs!.secret!)).status).toBe(401); // nobody holds the lost secret; it is rolled away
  });

  test("a different declaration, another resource or a new rotation trigger makes a new key", async () => {
    const first = await f.provider().create(await f.checked(declared));
    const others = [
      { ...declared, description: "changed" },
      { ...declared, metadata: { ...labels, "pulumi:resource": "search-2" } },
      { ...declared, rotation: { trigger: "2027" } },
    ];
    for (const inputs of others) expect((await f.provider().create(await f.checked(inputs))).id).not.toBe(first.id);
    expect(await liveKeys()).toHaveLength(4);
  });

  test("an age-based rotation (identical declaration, old key) makes a new key instead of taking over its predecessor", async () => {
    const p = f.provider();
    const old = await p.create(await f.checked({ ...declared, rotation: { rotateAfterDays: 30 } }));
    f.server.clock.advance(31 * 86_400);
    const news = await f.checked({ ...declared, rotation: { rotateAfterDays: 30 } }, old.outs!);
    expect((await p.diff(old.id, old.outs!, news)).replaces).toEqual(["rotation.rotateAfterDays"]);
    const successor = await p.create(news);
    expect(successor.id).not.toBe(old.id);
    await p.delete(old.id, old.outs! as never);
    expect((await f.whoami(successor.outs!.secret!)).body.keyId).toBe(successor.id);
    expect(await liveKeys()).toHaveLength(1);
  });

  test("a stack that destroyed a key and declares it again gets a new key, not the revoked one", async () => {
    const p = f.provider();
    const first = await p.create(await f.checked(declared));
    await p.delete(first.id, first.outs! as never);
    const second = await p.create(await f.checked(declared));
    expect(second.id).not.toBe(first.id);
    expect((await f.whoami(second.outs!.secret!)).body.keyId).toBe(second.id);
  });
});
