const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Keeps a process under a vendor's "N requests per window" limit by waiting before it would go over,
 * instead of collecting 429s. A sliding log of the last N start times: a token bucket refilling at
 * N/window would still let N + refill requests into one window that the vendor counts as a whole.
 */
export class RequestPacer {
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();
  /** How long callers have waited in total, for tests and the benchmark. */
  waitedMs = 0;
  private readonly marginMs: number;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.marginMs = Math.max(50, Math.round(windowMs * 0.02));
  }

  /** Resolves when one more request fits in the window; callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.now();
        while (this.starts.length > 0 && this.starts[0] <= now - this.windowMs) this.starts.shift();
        if (this.starts.length < this.limit) {
          this.starts.push(now);
          return;
        }
        // A margin for the request's travel time: the vendor counts arrivals, we count departures.
        const wait = this.starts[0] + this.windowMs - now + this.marginMs;
        this.waitedMs += wait;
        await sleep(wait);
      }
    });
    this.queue = turn;
    return turn;
  }
}

const pacers = new Map<string, RequestPacer>();

/** One pacer per key (an organization): every ApiKey of that organization in this process shares it. */
export function sharedPacer(key: string, limit: number, windowMs: number): RequestPacer {
  const id = `${key}|${limit}|${windowMs}`;
  let pacer = pacers.get(id);
  if (!pacer) pacers.set(id, (pacer = new RequestPacer(limit, windowMs)));
  return pacer;
}
