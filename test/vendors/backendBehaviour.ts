import { searchPrivilege } from "../helpers/fixtures";
import type { BackendHarness, BehaviourSupport } from "./harnesses";

const view = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW", targetIds: ["*"] };

/**
 * The behaviour every backend owes a user, run against the reference server and each vendor's
 * emulator alike: create, secret once, update, enable/disable, replace where the vendor cannot
 * update, rotate, delete, drift, adoption. The engine's part (replace = create then delete) is
 * played by calling the hooks in the engine's order.
 */
export function describeBackendBehaviour(start: () => Promise<BackendHarness>, support: BehaviourSupport = {}): void {
  // A behaviour the API lacks is named in the test's title, and the test checks what happens instead.
  const title = (behaviour: string, reason: string | undefined) => (reason ? `${behaviour} — not supported: ${reason}` : behaviour);
  let h: BackendHarness;
  beforeEach(async () => {
    h = await start();
  });
  afterEach(async () => h.close());

  const declare = (extra: Record<string, unknown> = {}) => ({
    displayName: "storefront search",
    description: "owned by team web",
    ...(h.supportsPrivileges ? { privileges: [searchPrivilege] } : {}),
    ...(h.scopes ? { scopes: h.scopes } : {}),
    ...extra,
  });

  test("create makes exactly one key and returns its secret once; a read of the key never shows it", async () => {
    const created = await h.provider().create(await h.checked(declare()));
    expect(created.outs!.secret).toEqual(expect.any(String));
    expect(created.outs!.secret!.length).toBeGreaterThanOrEqual(16);
    expect(created.outs).toMatchObject({
      keyId: created.id,
      displayName: "storefront search",
      description: "owned by team web",
      enabled: true,
      backend: h.name,
      secretAvailable: true,
    });
    expect(await h.count()).toBe(1);
    const remote = await h.remote(created.id);
    expect(remote).toMatchObject({ displayName: "storefront search", enabled: true, privilegeCount: h.supportsPrivileges ? 1 : 0 });
    expect(remote!.readAnswer).not.toContain(created.outs!.secret!);
    const read = await h.provider().read(created.id, created.outs!);
    expect(read.props!.secret).toBe(created.outs!.secret);
  });

  test(title("a description or name change is an in-place update: same key, same secret", support.rename), async () => {
    const p = h.provider();
    if (support.rename) {
      // A rename replaces the key (the new key first, then the old one goes); a description the API does not hold changes the state only.
      const created = await p.create(await h.checked(declare()));
      const renamed = await h.checked(declare({ displayName: "storefront search v2" }), created.outs!);
      expect((await p.diff(created.id, created.outs!, renamed)).replaces).toEqual(["displayName"]);
      const redescribed = await h.checked(declare({ description: "owned by team search" }), created.outs!);
      expect(await p.diff(created.id, created.outs!, redescribed)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
      const updated = await p.update(created.id, created.outs!, redescribed);
      expect(updated.outs).toMatchObject({ keyId: created.id, secret: created.outs!.secret, description: "owned by team search" });
      const replacement = await p.create(renamed);
      await p.delete(created.id, updated.outs! as never);
      expect(await h.remote(replacement.id)).toMatchObject({ displayName: "storefront search v2" });
      expect(await h.remote(created.id)).toBeUndefined();
      expect(await h.count()).toBe(1);
      return;
    }
    const created = await p.create(await h.checked(declare()));
    const news = await h.checked(declare({ displayName: "storefront search v2", description: "owned by team search" }), created.outs!);
    const diff = await p.diff(created.id, created.outs!, news);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const updated = await p.update(created.id, created.outs!, news);
    expect(updated.outs).toMatchObject({ keyId: created.id, secret: created.outs!.secret, displayName: "storefront search v2" });
    expect(await h.remote(created.id)).toMatchObject({ displayName: "storefront search v2", description: "owned by team search" });
    expect(await h.count()).toBe(1);
  });

  /** Where the API cannot disable a key: `check` refuses `enabled: false`, naming why, and nothing is created. */
  const refusesDisabling = async () => {
    const result = await h.provider().check({}, declare({ enabled: false }));
    expect(result.failures).toEqual([
      expect.objectContaining({ property: "enabled", reason: expect.stringContaining(`the ${h.name} backend cannot disable a key`) }),
    ]);
    expect(await h.count()).toBe(0);
  };

  test(title("disable and enable again in place", support.disable), async () => {
    if (support.disable) return refusesDisabling();
    const p = h.provider();
    const created = await p.create(await h.checked(declare()));
    const disabled = await p.update(created.id, created.outs!, await h.checked(declare({ enabled: false })));
    expect((await h.remote(created.id))!.enabled).toBe(false);
    expect(disabled.outs!.enabled).toBe(false);
    await p.update(created.id, disabled.outs!, await h.checked(declare({ enabled: true })));
    expect((await h.remote(created.id))!.enabled).toBe(true);
  });

  test(title("a key declared disabled is created disabled", support.disable), async () => {
    if (support.disable) return refusesDisabling();
    const created = await h.provider().create(await h.checked(declare({ enabled: false })));
    expect((await h.remote(created.id))!.enabled).toBe(false);
  });

  test(title("a privilege change updates in place where the API can, and replaces the key where it cannot", support.privileges), async () => {
    if (support.privileges) {
      const refused = await h.provider().check({}, declare({ privileges: [searchPrivilege] }));
      expect(refused.failures).toEqual([
        expect.objectContaining({ property: "privileges", reason: expect.stringContaining("list what the key may do in scopes") }),
      ]);
      // A scope change instead: in place where the API updates scopes, else the engine replaces (the new key first, then the old one goes).
      const p = h.provider();
      const created = await p.create(await h.checked(declare()));
      const wider = [...h.scopes!, h.extraScope!];
      const news = await h.checked(declare({ scopes: wider }), created.outs!);
      if (h.privilegesUpdateInPlace) {
        expect(await p.diff(created.id, created.outs!, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
        const updated = await p.update(created.id, created.outs!, news);
        expect(updated.outs).toMatchObject({ keyId: created.id, secret: created.outs!.secret, scopes: wider });
        expect((await h.remote(created.id))!.readAnswer).toContain(h.extraScope!);
        expect(await h.count()).toBe(1);
        return;
      }
      expect((await p.diff(created.id, created.outs!, news)).replaces).toEqual(["scopes"]);
      const replacement = await p.create(news);
      await p.delete(created.id, created.outs! as never);
      expect(await h.remote(created.id)).toBeUndefined();
      expect((await h.remote(replacement.id))!.readAnswer).toContain(h.extraScope!);
      expect(replacement.outs).toMatchObject({ scopes: wider });
      expect(await h.count()).toBe(1);
      return;
    }
    if (!h.supportsPrivileges) {
      const result = await h.provider().check({}, declare({ privileges: [searchPrivilege] }));
      expect(result.failures).toEqual([
        expect.objectContaining({ property: "privileges", reason: expect.stringContaining(`the ${h.name} backend does not support privileges`) }),
      ]);
      return;
    }
    const p = h.provider();
    const created = await p.create(await h.checked(declare()));
    const news = await h.checked(declare({ privileges: [searchPrivilege, view] }), created.outs!);
    const diff = await p.diff(created.id, created.outs!, news);
    if (h.privilegesUpdateInPlace) {
      expect(diff.replaces).toEqual([]);
      await p.update(created.id, created.outs!, news);
      expect((await h.remote(created.id))!.privilegeCount).toBe(2);
    } else {
      expect(diff.replaces).toEqual(["privileges"]);
      // The engine replaces: the new key first, then the old one goes.
      const replacement = await p.create(news);
      await p.delete(created.id, created.outs! as never);
      expect(await h.remote(created.id)).toBeUndefined();
      expect((await h.remote(replacement.id))!.privilegeCount).toBe(2);
      expect(replacement.outs!.secret).not.toBe(created.outs!.secret);
    }
    expect(await h.count()).toBe(1);
  });

  test("changing rotation.trigger issues a new secret; the old key does not stay live", async () => {
    const p = h.provider();
    const created = await p.create(await h.checked(declare({ rotation: { trigger: "2026-Q3" } })));
    const news = await h.checked(declare({ rotation: { trigger: "2026-Q4" } }), created.outs!);
    const diff = await p.diff(created.id, created.outs!, news);
    let current: { keyId: string; secret?: string };
    if (h.rotation === "replace") {
      expect(diff.replaces).toEqual(["rotation.trigger"]);
      const replacement = await p.create(news);
      await p.delete(created.id, created.outs! as never);
      current = replacement.outs!;
    } else if (h.rollsInPlace) {
      // A roll: the same key gets a new secret, and (no grace declared) the old secret stops working.
      expect(diff).toMatchObject({ changes: true, replaces: [] });
      current = (await p.update(created.id, created.outs!, news)).outs!;
      expect(current.keyId).toBe(created.id);
      if (!h.authenticates) throw new Error(`the ${h.name} harness rolls in place but cannot say whether a secret works`);
      expect(await h.authenticates(current.secret!)).toBe(true);
      expect(await h.authenticates(created.outs!.secret!)).toBe(false);
    } else {
      expect(diff).toMatchObject({ changes: true, replaces: [] });
      const updated = await p.update(created.id, created.outs!, news);
      current = updated.outs!;
      expect(current.keyId).not.toBe(created.id);
      // The Pulumi resource keeps its id; reads and deletes follow the current key.
      const read = await p.read(created.id, updated.outs!);
      expect(read).toMatchObject({ id: created.id, props: { keyId: current.keyId, secret: current.secret } });
    }
    expect(current.secret).toEqual(expect.any(String));
    expect(current.secret).not.toBe(created.outs!.secret);
    if (!h.rollsInPlace) expect(await h.remote(created.id)).toBeUndefined();
    expect(await h.remote(current.keyId)).toMatchObject({ displayName: "storefront search" });
    expect(await h.count()).toBe(1);
  });

  test("delete removes the key; deleting it again succeeds", async () => {
    const p = h.provider();
    const created = await p.create(await h.checked(declare()));
    await p.delete(created.id, created.outs! as never);
    expect(await h.remote(created.id)).toBeUndefined();
    await p.delete(created.id, created.outs! as never);
    expect(await h.count()).toBe(0);
  });

  // Where the API can rename but not disable, the rename alone is made by hand.
  const driftByHand = support.editByHand ?? (support.disable ? `the disable by hand (${support.disable})` : undefined);
  test(title("drift: refresh reports a rename and a disable made by hand, and the next update restores the declaration", driftByHand), async () => {
    const p = h.provider();
    const inputs = await h.checked(declare());
    const created = await p.create(inputs);
    if (support.editByHand) {
      // Nothing can change the key by hand but a deletion (the next case): a refresh reads it as declared.
      const read = await p.read(created.id, created.outs!);
      expect(read.props).toMatchObject({ displayName: "storefront search", secret: created.outs!.secret });
      expect(await p.diff(created.id, read.props!, inputs)).toMatchObject({ changes: false });
      return;
    }
    await h.renameAndDisableOutOfBand(created.id, "renamed in the console");
    const read = await p.read(created.id, created.outs!);
    expect(read.props).toMatchObject({ displayName: "renamed in the console", ...(support.disable ? {} : { enabled: false }), secret: created.outs!.secret });
    const diff = await p.diff(created.id, read.props!, inputs);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    await p.update(created.id, read.props!, inputs);
    expect(await h.remote(created.id)).toMatchObject({ displayName: "storefront search", enabled: true });
  });

  test("drift: a key deleted by hand reads as gone, so refresh drops it and up creates it again", async () => {
    const p = h.provider();
    const created = await p.create(await h.checked(declare()));
    await h.deleteOutOfBand(created.id);
    expect(await p.read(created.id, created.outs!)).toEqual({ id: "" });
  });

  const adoptionRename = support.rename ? `bringing its name to the declaration (${support.rename})` : undefined;
  test(title("adoption (import): an existing key is brought to the declaration, keeps its id, and its secret is unknown", adoptionRename), async () => {
    const p = h.provider();
    const id = await h.createByHand("made by hand");
    // Where a rename would replace the key, the declaration takes the key's own name (a replacement
    // of an adopted key would delete it).
    const name = support.rename ? "made by hand" : "storefront search";
    const adopted = await p.create(await h.checked(declare({ adoptKeyId: id, displayName: name })));
    expect(adopted.id).toBe(id);
    expect(adopted.outs).toMatchObject({ keyId: id, secretAvailable: false, displayName: name });
    expect(adopted.outs!.secret).toBeUndefined();
    expect(await h.remote(id)).toMatchObject({ displayName: name });
    expect(await h.count()).toBe(1);
    const check = await p.diff(id, adopted.outs!, await h.checked(declare({ adoptKeyId: id, displayName: name })));
    expect(check.changes).toBe(false);
  });
}
