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

/**
 * Issue 34: the clock ran an hour ahead and was put right. The limiter kept the latest time it had
 * ever seen, so it refilled nothing for an hour and a caller within its rate got 429.
 */
describe("the rate limiter when the clock runs ahead and is put right", () => {
  const start = new Date("2027-01-10T00:00:00Z").getTime();
  /** Takes one request at each time (ms), and answers which were allowed. */
  const takeAt = (limiter: RateLimiter, times: number[]) => times.map((ms) => limiter.take("token", new Date(ms)).allowed);
  /** `count` requests `everyMs` apart from `fromMs`. */
  const steady = (fromMs: number, count: number, everyMs: number) => Array.from({ length: count }, (_, i) => fromMs + i * everyMs);

  test("a caller at 3.3 requests/s against 5/s keeps being answered after the clock ran an hour ahead and was corrected", () => {
    const limiter = new RateLimiter(5, 10);
    const ahead = start + 3_600_000;
    // Five requests while the clock is an hour ahead, then the correction, then the same pace.
    const answers = takeAt(limiter, [...steady(ahead, 5, 300), ...steady(start + 1_500, 16, 300)]);
    expect(answers).toEqual(Array(21).fill(true));
  });

  test("a clock stepping back and forth every few requests never refuses a caller within its rate", () => {
    const limiter = new RateLimiter(5, 10);
    const times = Array.from({ length: 60 }, (_, i) => start + i * 300 + (Math.floor(i / 4) % 2 === 0 ? 0 : -7_200_000));
    expect(takeAt(limiter, times)).toEqual(Array(60).fill(true));
  });

  test("a step back grants no extra requests, and back and forth again at most one bucket's worth", () => {
    const limiter = new RateLimiter(5, 10);
    // The bucket is emptied at `start` (the 11th request is refused).
    expect(takeAt(limiter, Array(11).fill(start)).filter(Boolean)).toHaveLength(10);
    // The clock steps back an hour: nothing more is allowed.
    expect(takeAt(limiter, Array(20).fill(start - 3_600_000)).filter(Boolean)).toHaveLength(0);
    // It steps forward to where it was: at most the bucket (10), however long the step.
    expect(takeAt(limiter, Array(30).fill(start)).filter(Boolean).length).toBeLessThanOrEqual(10);
    // And the rate holds from there: one second gives 5 more.
    expect(takeAt(limiter, Array(20).fill(start + 1_000)).filter(Boolean)).toHaveLength(5);
  });
});
