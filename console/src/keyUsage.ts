import type { ConsoleKey } from "./api";

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
