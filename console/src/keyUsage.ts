import type { ConsoleApi, ConsoleKey } from "./api";

/** How long keys have gone unused and how old their secrets are: what the keys list shows and filters on. */

const DAY_MS = 86_400_000;

/** Whole days since `iso` (0 for a time in the future: the server's clock may run ahead of the browser's). */
export function daysSince(iso: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / DAY_MS));
}

/** Days since the key was last used, or since its creation when it never was. */
export function daysUnused(key: Pick<ConsoleKey, "lastUsedAt" | "createdAt">, now: Date): number {
  return daysSince(key.lastUsedAt ?? key.createdAt, now);
}

/** "0 days", "1 day", "12 days". */
export function daysText(days: number): string {
  return `${days} day${days === 1 ? "" : "s"}`;
}

/** "today", "1 day ago", "12 days ago". */
export function agoText(days: number): string {
  return days === 0 ? "today" : `${days} day${days === 1 ? "" : "s"} ago`;
}

/** The keys unused for at least `minDays` days (all of them when it is undefined). */
export function unusedFor<K extends Pick<ConsoleKey, "lastUsedAt" | "createdAt">>(keys: readonly K[], minDays: number | undefined, now: Date): K[] {
  return minDays === undefined ? [...keys] : keys.filter((k) => daysUnused(k, now) >= minDays);
}

/**
 * When each key's current secret was issued: its last `key.roll` in the audit log, else its
 * `key.create` (the server's key answer has no such field). One audit query per key, a few at a time.
 */
export async function secretsIssuedAt(api: ConsoleApi, keys: readonly ConsoleKey[], concurrency = 4): Promise<Map<string, string>> {
  const issued = new Map<string, string>();
  const queue = [...keys];
  const worker = async () => {
    for (let key = queue.shift(); key; key = queue.shift()) {
      const entries = await api.keyAudit(key.id);
      const last = entries.filter((e) => e.action === "key.roll" || e.action === "key.create").pop();
      issued.set(key.id, last?.at ?? key.createdAt);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return issued;
}
