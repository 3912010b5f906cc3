import fc from "fast-check";
import { ApiKeyProvider } from "../../provider";

const now = new Date("2026-11-23T12:00:00Z");
const provider = new ApiKeyProvider({
  env: { APIKEYS_ENDPOINT: "http://127.0.0.1:1", APIKEYS_ORGANIZATION_ID: "org_a", APIKEYS_TOKEN: "at_x" },
  now: () => now,
  backendFor: () => {
    throw new Error("no API call expected");
  },
});

const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/);
const privilege = fc.record(
  {
    owner: name,
    targetDomain: name,
    type: fc.constantFrom("ENABLE", "VIEW", "EDIT"),
    targetIds: fc.option(fc.uniqueArray(fc.constantFrom("*", "a", "b", "c"), { minLength: 1 }), { nil: undefined }),
  },
  { requiredKeys: ["owner", "targetDomain", "type"] },
);
const validInputs = fc.record({
  displayName: fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0),
  description: fc.string({ maxLength: 40 }),
  environment: fc.constantFrom("live", "test"),
  enabled: fc.boolean(),
  privileges: fc.uniqueArray(privilege, { maxLength: 6, selector: (p) => `${p.owner}/${p.targetDomain}/${p.type}` }),
});

function storedOutputs(inputs: Record<string, any>) {
  return {
    ...inputs,
    keyId: "key_1",
    secretAvailable: true,
    hint: "h",
    createdAt: now.toISOString(),
    rotatedAt: now.toISOString(),
    backend: "reference",
    organizationId: "org_a",
  } as any;
}

describe("check and diff properties", () => {
  test("check never throws, whatever the input; it answers inputs or failures naming a property", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom("displayName", "environment", "privileges", "expiresAt", "rotation", "connection", "enabled", "x"), fc.anything()),
        async (news) => {
          const result = await provider.check({}, news);
          for (const failure of result.failures ?? []) {
            expect(failure.property).toEqual(expect.any(String));
            expect(failure.reason.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test("diff of checked inputs against themselves is empty, and privilege order never makes a diff", async () => {
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(validInputs, fc.array(fc.nat(), { minLength: 6, maxLength: 6 }), async (raw, order) => {
        const checked = await provider.check({}, raw);
        expect(checked.failures).toEqual([]);
        const olds = storedOutputs(checked.inputs);
        expect(await provider.diff("key_1", olds, checked.inputs)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        const reordered = raw.privileges
          .map((p, i) => ({ p, k: order[i] }))
          .sort((a, b) => a.k - b.k)
          .map(({ p }) => ({ ...p, targetIds: p.targetIds ? [...p.targetIds].reverse() : undefined }));
        const rechecked = await provider.check(olds, { ...raw, privileges: reordered });
        expect((await provider.diff("key_1", olds, rechecked.inputs)).changes).toBe(false);
        compared++;
      }),
      { numRuns: 300 },
    );
    expect(compared).toBe(300);
  });
});
