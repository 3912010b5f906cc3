import { KeyApiError } from "../errors";

/**
 * For vendors whose create takes no Idempotency-Key (Coveo, Didomi): a create whose answer was lost
 * may or may not have made a key, and that key's secret is gone for good. So instead of retrying
 * blindly, find keys the lost attempt made (same name and description, created since it started,
 * with a minute of clock skew), delete them, and create once more. At most `attempts` creates.
 */
export async function createWithoutOrphans<T>(options: {
  attempts: number;
  create: () => Promise<T>;
  /** Ids of keys that match the spec and were created at or after `since`. */
  findMatching: (since: Date) => Promise<string[]>;
  deleteKey: (id: string) => Promise<void>;
}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const startedAt = new Date(Date.now() - 60_000);
    try {
      return await options.create();
    } catch (error) {
      // A definite answer from the API (4xx, or 429 after the backoff) made no key: nothing to clean.
      const definite = error instanceof KeyApiError && error.status !== undefined && error.status < 500;
      if (definite) throw error;
      for (const id of await options.findMatching(startedAt)) await options.deleteKey(id);
      if (attempt >= options.attempts) throw error;
    }
  }
}
