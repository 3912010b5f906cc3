import { LastUsedWrites } from "../../server/db/lastUsed";

describe("when a last use is written (at most once a minute per id)", () => {
  const start = new Date("2027-01-10T00:00:00Z").getTime();

  test("uses within the minute are not written again; the first one after it is", () => {
    const writes = new LastUsedWrites();
    expect(writes.due("k", start)).toBe(true);
    expect(writes.due("k", start + 59_999)).toBe(false);
    expect(writes.due("k", start + 60_000)).toBe(true);
    expect(writes.due("other", start + 60_000)).toBe(true);
  });

  // Issue 34: written while the clock ran 30 days ahead, the time stayed in the future and no use
  // was written until the clock caught up with it, so lastUsedAt said the key was used a month from now.
  test("a write time in the future (the clock ran ahead and was put right) is due at once, and then counts from now", () => {
    const writes = new LastUsedWrites();
    expect(writes.due("k", start + 30 * 86_400_000)).toBe(true);
    expect(writes.due("k", start + 300_000)).toBe(true);
    expect(writes.due("k", start + 310_000)).toBe(false);
    expect(writes.due("k", start + 360_000)).toBe(true);
  });
});
