const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request's place in the window: in flight until `finishedAt` is set. */
interface Slot {
  finishedAt?: number;
}

/**
 * Keeps a process under a vendor's "N requests per window" limit by waiting before it would go over,
 * instead of collecting 429s. A sliding log of the last N requests: a token bucket refilling at
 * N/window would still let N + refill requests into one window that the vendor counts as a whole.
 *
 * The vendor counts a request when it *arrives*, which we never see: only that it left (departure)
 * and that its answer came back (arrival happened before then). So a request holds its place from
 * departure until one window after its answer. Counting from departure instead let a request that
 * travelled slowly (a busy event loop, the first TLS handshake) arrive inside the next window and
 * cost a 429 (measured: 1 in 25 paced creates answered 429 on a loaded machine).
 */
class RequestPacer {
  private readonly slots: Slot[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private wakeUp: () => void = () => undefined;
  /** How long callers have waited in total, for tests and the benchmark. */
  waitedMs = 0;
  private readonly marginMs: number;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    // For a vendor whose clock ticks in coarse steps; the answer already bounds the travel time.
    this.marginMs = Math.max(20, Math.round(windowMs * 0.01));
  }

  /**
   * Resolves when one more request fits in the window; callers are served in order. Call the
   * returned function when the request's answer (or its failure) comes back.
   */
  acquire(): Promise<() => void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const now = this.now();
        for (let i = this.slots.length - 1; i >= 0; i--) {
          const finishedAt = this.slots[i].finishedAt;
          if (finishedAt !== undefined && finishedAt + this.windowMs + this.marginMs <= now) this.slots.splice(i, 1);
        }
        if (this.slots.length < this.limit) {
          const slot: Slot = {};
          this.slots.push(slot);
          return () => {
            if (slot.finishedAt !== undefined) return;
            slot.finishedAt = this.now();
            this.wakeUp();
          };
        }
        const finished = this.slots.flatMap((s) => (s.finishedAt === undefined ? [] : [s.finishedAt]));
        const started = this.now();
        // Every place held by a request in flight: wait for an answer; else for the oldest to expire.
        const answered = new Promise<void>((resolve) => (this.wakeUp = resolve));
        await (finished.length === 0 ? answered : Promise.race([answered, sleep(Math.min(...finished) + this.windowMs + this.marginMs - now)]));
        this.waitedMs += this.now() - started;
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
