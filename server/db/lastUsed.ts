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

  /**
   * Whether `id`'s use at `nowMs` should be written; if so, it counts as written. A write time after
   * `nowMs` was made while the server's clock ran ahead: the use is due, so the stored time in the
   * future is overwritten with the real one (it used to stay until the clock caught up with it).
   */
  due(id: string, nowMs: number): boolean {
    const writtenAt = this.written.get(id);
    if (writtenAt !== undefined && writtenAt <= nowMs && nowMs - writtenAt < this.resolutionMs) return false;
    if (this.written.size >= this.maxEntries) this.written.clear();
    this.written.set(id, nowMs);
    return true;
  }
}
