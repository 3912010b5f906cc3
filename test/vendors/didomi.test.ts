import { ApiKeyProvider } from "../../provider";
import { didomiHarness } from "./harnesses";

describe("Didomi's own rules (contract emulator)", () => {
  test("the session token is exchanged once, reused, and renewed after it expires", async () => {
    const h = await didomiHarness();
    try {
      const p = h.provider();
      const a = await p.create(await h.checked({ displayName: "a" }));
      await p.create(await h.checked({ displayName: "b" }));
      expect(h.emulator.sessionsIssued).toBe(1);
      h.emulator.expireTokens();
      const read = await p.read(a.id, a.outs!);
      expect(read.props!.displayName).toBe("a");
      expect(h.emulator.sessionsIssued).toBe(2);
    } finally {
      await h.close();
    }
  });

  test("requests are paced under the organization's rate limit: no 429, shared by every key of the process", async () => {
    // The documented 100 per 15 s, scaled to 10 per 1.5 s so the test takes seconds.
    const h = await didomiHarness({ rateLimit: { limit: 10, windowMs: 1500 } });
    try {
      const started = Date.now();
      const created = await Promise.all(Array.from({ length: 25 }, async (_, i) => h.provider().create(await h.checked({ displayName: `key ${i}` }))));
      const elapsed = Date.now() - started;
      expect(created).toHaveLength(25);
      expect(h.emulator.keys.size).toBe(25);
      expect(h.emulator.rateLimited).toBe(0);
      // 25 calls at 10 per 1.5 s cannot finish before the third window opens.
      expect(elapsed).toBeGreaterThanOrEqual(3000);
    } finally {
      await h.close();
    }
  }, 30_000);

  test("pacing holds when requests arrive late (a busy machine): the first window's requests travel 400 ms, still no 429", async () => {
    // Counting a request from when it left let the 11th leave 1.55 s after the first ten left, and
    // arrive while those ten (which arrived 400 ms late) still filled Didomi's window: 429s.
    const h = await didomiHarness({ rateLimit: { limit: 10, windowMs: 1500 }, travelMs: (n) => (n < 10 ? 400 : 0) });
    try {
      const created = await Promise.all(Array.from({ length: 15 }, async (_, i) => h.provider().create(await h.checked({ displayName: `late ${i}` }))));
      expect(created).toHaveLength(15);
      expect(h.emulator.rateLimited).toBe(0);
    } finally {
      await h.close();
    }
  }, 30_000);

  test("two-slot rotation: the successor works at once, the old key works through the grace period and goes at the first update after it, or with the stack", async () => {
    const h = await didomiHarness();
    try {
      const p = h.provider();
      const declared = (trigger: string) => ({ displayName: "consent sync", rotation: { trigger, gracePeriodSeconds: 3600 } });
      const created = await p.create(await h.checked(declared("a")));
      const news = await h.checked(declared("b"), created.outs!);
      expect(await p.diff(created.id, created.outs!, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
      const rotated = await p.update(created.id, created.outs!, news);
      const successor = rotated.outs!.keyId;
      expect(successor).not.toBe(created.id);
      expect(h.emulator.keys.get(successor)!.secret).toBe(rotated.outs!.secret);
      // Both keys work during the grace period; the stack remembers the old one.
      expect([...h.emulator.keys.keys()].sort()).toEqual([created.id, successor].sort());
      expect(rotated.outs!.pendingRevocations).toEqual([{ keyId: created.id, revokeAfter: expect.any(String) }]);
      expect(Date.parse(rotated.outs!.pendingRevocations![0].revokeAfter) - Date.now()).toBeGreaterThan(3590_000);
      expect(await p.diff(created.id, rotated.outs!, news)).toMatchObject({ changes: false });

      // An hour later the next preview shows an update, and the update deletes the old key.
      const later = new ApiKeyProvider({ env: h.env, now: () => new Date(Date.now() + 3601_000) });
      expect(await later.diff(created.id, rotated.outs!, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
      const settled = await later.update(created.id, rotated.outs!, news);
      expect(settled.outs!.pendingRevocations).toBeUndefined();
      expect([...h.emulator.keys.keys()]).toEqual([successor]);

      // A stack destroyed during a grace period leaves nothing behind.
      const again = await p.update(created.id, settled.outs!, await h.checked(declared("c"), settled.outs!));
      expect(h.emulator.keys.size).toBe(2);
      await p.delete(created.id, again.outs!);
      expect(h.emulator.keys.size).toBe(0);
    } finally {
      await h.close();
    }
  });

  test("privileges and settings of other backends fail check and name the backend; a bad token format is explained", async () => {
    const h = await didomiHarness();
    try {
      const result = await h
        .provider()
        .check({}, { displayName: "k", privileges: [{ owner: "A", targetDomain: "B", type: "VIEW" }], rotation: { gracePeriodSeconds: 60 }, lifetime: "P1D" });
      expect(result.failures).toEqual([
        { property: "privileges", reason: expect.stringContaining("Didomi keys carry no privileges") },
        { property: "lifetime", reason: expect.stringContaining("Didomi keys do not expire") },
      ]);
      // An adopted Didomi key cannot get a new secret, and a replacement would delete it.
      expect((await h.provider().check({}, { displayName: "k", adoptKeyId: "k-1", rotation: { rotateAfterDays: 90, rollOnAdopt: true } })).failures).toEqual([
        { property: "rotation.rollOnAdopt", reason: expect.stringContaining("it cannot issue a new secret for an existing key; remove adoptKeyId") },
        { property: "rotation.rotateAfterDays", reason: expect.stringContaining("the didomi backend cannot give an adopted key a new secret") },
      ]);
      const { ApiKeyProvider } = require("../../provider");
      const bad = new ApiKeyProvider({ env: { ...h.env, APIKEYS_TOKEN: "no-colon-here" } });
      const error = await bad.create(await h.checked({ displayName: "k" })).catch((e: Error) => e);
      expect(error.message).toContain('the Didomi token must be "<API key>:<secret>"');
      expect(error.message).not.toContain("no-colon-here");
      expect(h.emulator.requests).toEqual([]);
    } finally {
      await h.close();
    }
  });

  test("wrong credentials: a clear error naming the key, never the secret", async () => {
    const h = await didomiHarness();
    try {
      const { ApiKeyProvider } = require("../../provider");
      const apiKey = String(h.env.APIKEYS_TOKEN).split(":")[0];
      const wrong = new ApiKeyProvider({ env: { ...h.env, APIKEYS_TOKEN: `${apiKey}:wrong-secret-value` } });
      const error = await wrong.create(await h.checked({ displayName: "k" })).catch((e: Error) => e);
      expect(error.message).toContain(`signing in to Didomi with API key ${apiKey} failed`);
      expect(error.message).not.toContain("wrong-secret-value");
      expect(h.emulator.keys.size).toBe(0);
    } finally {
      await h.close();
    }
  });

  test("a create whose answer is lost leaves exactly one key, and the stack holds that key's secret", async () => {
    const h = await didomiHarness();
    try {
      h.emulator.loseNextCreateResponse();
      const created = await h.provider().create(await h.checked({ displayName: "lost answer", isInternal: true }));
      expect(h.emulator.keys.size).toBe(1);
      expect(h.emulator.keys.get(created.id)).toMatchObject({ secret: created.outs!.secret, is_internal: true });
      expect((await h.provider().diff(created.id, created.outs!, await h.checked({ displayName: "lost answer", isInternal: false }))).replaces).toEqual([
        "isInternal",
      ]);
    } finally {
      await h.close();
    }
  });
});
