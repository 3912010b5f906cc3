import { RateLimiter } from "../../server/http/rateLimiter";

/** The limiter reads the server's clock, which can step back (NTP, a VM resumed, a test moving it). */
describe("the rate limiter when the clock steps back", () => {
  test("a caller within its rate is not refused after the clock moved back a day", () => {
    const limiter = new RateLimiter(10, 20);
    const now = new Date("2027-01-10T00:00:00Z");
    expect(limiter.take("token", now)).toEqual({ allowed: true });
    const dayBefore = new Date(now.getTime() - 86_400_000);
    // Before the fix the bucket lost a day's worth of tokens (864,000) and answered 429 for a day.
    for (let i = 0; i < 19; i++) expect(limiter.take("token", dayBefore)).toEqual({ allowed: true });
  });

  test("its limit still holds after the step back", () => {
    const limiter = new RateLimiter(10, 5);
    const now = new Date("2027-01-10T00:00:00Z");
    limiter.take("token", now);
    const earlier = new Date(now.getTime() - 3_600_000);
    const answers = Array.from({ length: 6 }, () => limiter.take("token", earlier).allowed);
    expect(answers).toEqual([true, true, true, true, false, false]);
  });
});
