/** Vendors send dates as ISO strings or epoch milliseconds (Coveo does both); we store ISO strings. */
export function isoDateOf(value: unknown, fallback: string): string {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value === "string" && value.trim() !== "") {
    const asNumber = Number(value);
    const ms = /^\d+$/.test(value.trim()) ? asNumber : Date.parse(value);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return fallback;
}

/** Whole seconds as an ISO-8601 duration (`PT3600S`), the form Coveo's rotation periods take. */
export function isoDurationOfSeconds(seconds: number): string {
  return `PT${Math.max(0, Math.floor(seconds))}S`;
}
