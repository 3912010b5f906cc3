/**
 * When to write a `last_used_at`: at most once a minute per key or token, so a client that verifies
 * or calls the admin API in a loop does not turn every read into a write. Per replica, in memory,
 * bounded (forgetting only means one extra write).
 */
export class LastUsedWrites {
  private readonly written = new Map<string, number>();

  constructor(
    private readonly resolutionMs = 60_000,
    private readonly maxEntries = 100_000,
  ) {}

  /** Whether `id`'s use at `nowMs` should be written; if so, it counts as written. */
  due(id: string, nowMs: number): boolean {
    if (nowMs - (this.written.get(id) ?? 0) < this.resolutionMs) return false;
    if (this.written.size >= this.maxEntries) this.written.clear();
    this.written.set(id, nowMs);
    return true;
  }
}
