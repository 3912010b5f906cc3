import { ApiKeyProvider, privilegesDiff } from "../../provider";
import type { ApiKeyInputs, ApiKeyOutputs } from "../../provider";
import { searchPrivilege } from "../helpers/fixtures";

const now = new Date("2026-11-23T12:00:00Z");
const env = { APIKEYS_ENDPOINT: "http://127.0.0.1:1", APIKEYS_ORGANIZATION_ID: "org_a", APIKEYS_TOKEN: "at_x" };
const provider = new ApiKeyProvider({
  env,
  now: () => now,
  backendFor: () => {
    throw new Error("diff must not call the API");
  },
});

const view = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW", targetIds: ["a", "b"] };

const olds: ApiKeyOutputs = {
  displayName: "search",
  description: "",
  environment: "live",
  enabled: true,
  privileges: [searchPrivilege, view],
  keyId: "key_1",
  secret: "ak_live_x",
  secretAvailable: true,
  hint: "ak_live_x…",
  createdAt: "2026-11-01T00:00:00.000Z",
  rotatedAt: "2026-11-01T00:00:00.000Z",
  backend: "reference",
  organizationId: "org_a",
  rotation: { trigger: "v1" },
};
const declared: ApiKeyInputs = {
  displayName: "search",
  description: "",
  environment: "live",
  enabled: true,
  privileges: [searchPrivilege, view],
  rotation: { trigger: "v1" },
};

describe("diff", () => {
  test("no change is no diff", async () => {
    expect(await provider.diff("key_1", olds, declared)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  test("privileges compare as a set: a different order (keys or targetIds) is no diff", async () => {
    const reordered = { ...declared, privileges: [{ ...view, targetIds: ["b", "a"] }, searchPrivilege] };
    expect((await provider.diff("key_1", olds, reordered)).changes).toBe(false);
  });

  test.each([
    ["displayName", { displayName: "renamed" }],
    ["description", { description: "owned by team web" }],
    ["enabled", { enabled: false }],
    ["privileges", { privileges: [searchPrivilege] }],
    ["expiresAt", { expiresAt: "2027-01-01T00:00:00.000Z" }],
    ["rotation settings other than the trigger", { rotation: { trigger: "v1", gracePeriodSeconds: 600 } }],
  ])("%s updates in place", async (_field, change) => {
    expect(await provider.diff("key_1", olds, { ...declared, ...change })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  test.each<[string, Partial<ApiKeyInputs>, string[]]>([
    ["environment", { environment: "test" }, ["environment"]],
    ["rotation.trigger", { rotation: { trigger: "v2" } }, ["rotation.trigger"]],
    ["organization", { connection: { organizationId: "org_b" } }, ["connection.organizationId"]],
    ["adoptKeyId", { adoptKeyId: "key_9" }, ["adoptKeyId"]],
  ])("%s replaces, creating the new key before deleting the old", async (_field, change, replaces) => {
    expect(await provider.diff("key_1", olds, { ...declared, ...change })).toEqual({ changes: true, replaces, deleteBeforeReplace: false });
  });

  test("a new endpoint or admin token is no diff", async () => {
    const moved = { ...declared, connection: { endpoint: "https://keys.example.com", token: "at_rotated" } };
    expect((await provider.diff("key_1", olds, moved)).changes).toBe(false);
  });

  test("rotateAfterDays replaces once the secret is that old, not before", async () => {
    const young = await provider.diff("key_1", olds, { ...declared, rotation: { trigger: "v1", rotateAfterDays: 30 } });
    const due = await provider.diff("key_1", olds, { ...declared, rotation: { trigger: "v1", rotateAfterDays: 22 } });
    expect(young.replaces).toEqual([]);
    expect(due.replaces).toEqual(["rotation.rotateAfterDays"]);
  });

  test("a lifetime's expiry is the API's: never a diff; renewBeforeExpiry replaces once the expiry is within the window", async () => {
    // The key expires on 2026-12-01 (a 30-day lifetime); now is 2026-11-23 12:00: 7.5 days before.
    const withLifetime: ApiKeyOutputs = { ...olds, lifetime: "P30D", expiresAt: "2026-12-01T00:00:00.000Z" };
    const renewing = (window: string): ApiKeyInputs => ({ ...declared, lifetime: "P30D", rotation: { trigger: "v1", renewBeforeExpiry: window } });
    expect(await provider.diff("key_1", withLifetime, { ...declared, lifetime: "P30D" })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect((await provider.diff("key_1", withLifetime, renewing("P7D"))).replaces).toEqual([]);
    expect(await provider.diff("key_1", withLifetime, renewing("P8D"))).toEqual({
      changes: true,
      replaces: ["rotation.renewBeforeExpiry"],
      deleteBeforeReplace: false,
    });
    // A declared fixed expiry is compared as before.
    expect((await provider.diff("key_1", withLifetime, { ...declared, expiresAt: "2026-12-02T00:00:00.000Z" })).changes).toBe(true);
  });

  test("privilegesDiff reports additions and removals as a set difference", () => {
    const edit = { owner: "SEARCH_API", targetDomain: "PIPELINES", type: "EDIT" };
    expect(privilegesDiff([searchPrivilege, view], [{ ...view, targetIds: ["b", "a"] }, edit])).toEqual({ added: [edit], removed: [searchPrivilege] });
  });
});
