import { newId } from "../../server/ids";

describe("ids", () => {
  // Lists, pagination cursors and the audit log are ordered by id. Entries written in the same
  // millisecond (an organization and its first token; keys created in a burst) must keep the order
  // they were written in, or the audit log shows a token created before its organization.
  test("ids made one after another in the same process sort in that order, even within one millisecond", () => {
    const ids = Array.from({ length: 20_000 }, () => newId("aud"));
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^aud_[0-9a-z]{10}[0-9A-Za-z]{10}$/);
  });
});
