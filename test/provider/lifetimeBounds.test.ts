import { ApiKeyProvider } from "../../provider";

const now = new Date("2026-11-23T12:00:00Z");
const env = { APIKEYS_ENDPOINT: "http://127.0.0.1:1", APIKEYS_ORGANIZATION_ID: "org_x", APIKEYS_TOKEN: "at_x" };
const provider = new ApiKeyProvider({ env, now: () => now });
const valid = { displayName: "search" };
const failures = async (extra: Record<string, unknown>) => (await provider.check({}, { ...valid, ...extra })).failures;

describe("check bounds durations", () => {
  test("a lifetime or renewal window past the calendar's end is refused naming the maximum (it used to reach the API as a 500)", async () => {
    for (const lifetime of ["P300000Y", "PT99999999999H", "P1201M"]) {
      expect(await failures({ lifetime })).toEqual([{ property: "lifetime", reason: "must be at most P100Y (100 years)" }]);
    }
    expect(await failures({ lifetime: "P90D", rotation: { renewBeforeExpiry: "PT99999999999H" } })).toEqual([
      { property: "rotation.renewBeforeExpiry", reason: "must be at most P100Y (100 years)" },
    ]);
  });

  test("up to the maximum, however it is written, passes", async () => {
    expect(await failures({ lifetime: "P100Y" })).toEqual([]);
    expect(await failures({ lifetime: "P1200M", rotation: { renewBeforeExpiry: "P1Y" } })).toEqual([]);
  });
});
