import { checkApiKeyInputs } from "../../provider";
import { liveKeysExpire, liveKeysRotate, noWildcardInLive, type KeyDeclaration } from "../../policy/rules";

const now = new Date("2026-12-07T00:00:00Z");
const search = { owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" };

/** A declaration as the engine hands it to the pack: the provider's check of it on that backend (no backend named on the key: stack config picks it). */
function checked(backend: string, declared: Record<string, unknown>): KeyDeclaration {
  const { inputs, failures } = checkApiKeyInputs({}, { displayName: "k", description: "what it is for, owned by web", ...declared }, now, backend);
  expect(failures).toEqual([]);
  return inputs;
}
const expire = (key: KeyDeclaration) => liveKeysExpire.check(key, liveKeysExpire.defaults, now, "k");
const rotate = (key: KeyDeclaration) => liveKeysRotate.check(key, liveKeysRotate.defaults, now, "k");
const wildcard = (key: KeyDeclaration) => noWildcardInLive.check(key, noWildcardInLive.defaults, now, "k");

describe("the live-key rules follow the product's advice (docs/rotation.md)", () => {
  test("a lifetime renewed before it expires satisfies the expiry and the rotation rules; a lifetime too long does not", () => {
    const renewed = checked("reference", { environment: "live", lifetime: "P90D", rotation: { renewBeforeExpiry: "P14D" } });
    expect(expire(renewed)).toBeUndefined();
    expect(rotate(renewed)).toBeUndefined();
    const long = checked("reference", { environment: "live", lifetime: "P2Y", rotation: { renewBeforeExpiry: "P14D" } });
    expect(expire(long)).toBe(
      "live keys must expire within 365 days: lifetime P2Y is longer; set expiresAt, or a lifetime of at most P365D renewed with rotation.renewBeforeExpiry",
    );
    expect(rotate(long)).toMatch(/^live keys must rotate at least every 90 days/);
    // A lifetime alone expires the key (the API sets expiresAt from it) but gives it no new secret.
    const unrenewed = checked("reference", { environment: "live", lifetime: "P30D" });
    expect(expire(unrenewed)).toBeUndefined();
    expect(rotate(unrenewed)).toBe(
      "live keys must rotate at least every 90 days: set rotation.rotateAfterDays to 90 or less, or a lifetime of at most P90D with rotation.renewBeforeExpiry",
    );
  });

  test("a test key on the reference server answers to none of them", () => {
    const key = checked("reference", { privileges: [{ ...search, targetIds: ["*"] }] });
    expect([expire(key), rotate(key), wildcard(key)]).toEqual([undefined, undefined, undefined]);
  });

  test("a Coveo key (no environments: production, as the credential report counts it) must expire, rotate, and name its targets", () => {
    const bare = checked("coveo", { privileges: [{ ...search, targetIds: ["*"] }] });
    expect(bare.environment).toBeUndefined();
    expect(expire(bare)).toMatch(/^live keys must expire within 365 days: set expiresAt, or a lifetime/);
    expect(rotate(bare)).toMatch(/^live keys must rotate at least every 90 days/);
    expect(wildcard(bare)).toBe('live keys must not target "*": SEARCH_API/EXECUTE_QUERY/ENABLE[*]');
    const advised = checked("coveo", { privileges: [search], lifetime: "P90D", rotation: { renewBeforeExpiry: "P14D" } });
    expect([expire(advised), rotate(advised), wildcard(advised)]).toEqual([undefined, undefined, undefined]);
  });

  test("a Didomi key must rotate; its keys cannot expire, so the expiry rule asks nothing impossible", () => {
    const bare = checked("didomi", {});
    expect(expire(bare)).toBeUndefined();
    expect(rotate(bare)).toBe("live keys must rotate at least every 90 days: set rotation.rotateAfterDays to 90 or less");
    expect(rotate(checked("didomi", { rotation: { rotateAfterDays: 30 } }))).toBeUndefined();
    // Named on the key instead of in stack config: the same.
    expect(expire(checked("didomi", { connection: { backend: "didomi" } }))).toBeUndefined();
  });
});
