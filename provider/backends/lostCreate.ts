import { KeyApiError } from "../errors";
import type { KeySpec, RemoteKey } from "./keyBackend";

/**
 * For vendors whose create takes no Idempotency-Key (Coveo, Didomi): a create whose answer was lost
 * may or may not have made a key, and that key's secret is gone for good. So instead of retrying
 * blindly, find keys the lost attempt made (same name and description, created since it started,
 * with a minute of clock skew), delete them, and create once more. At most `attempts` creates.
 */
export async function createWithoutOrphans<T>(options: {
  spec: KeySpec;
  attempts: number;
  create: () => Promise<T>;
  /** Every key of the organization, as the vendor lists them. */
  listKeys: () => Promise<RemoteKey[]>;
  deleteKey: (id: string) => Promise<void>;
}): Promise<T> {
  const { spec } = options;
  for (let attempt = 1; ; attempt++) {
    const since = Date.now() - 60_000;
    try {
      return await options.create();
    } catch (error) {
      // A definite answer from the API (4xx, or 429 after the backoff) made no key: nothing to clean.
      const definite = error instanceof KeyApiError && error.status !== undefined && error.status < 500;
      if (definite) throw error;
      const madeByTheLostCall = (await options.listKeys()).filter(
        (k) => k.displayName === spec.displayName && k.description === spec.description && Date.parse(k.createdAt) >= since,
      );
      for (const key of madeByTheLostCall) await options.deleteKey(key.id);
      if (attempt >= options.attempts) throw error;
    }
  }
}
