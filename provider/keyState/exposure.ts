/**
 * A key API found the key's secret exposed (Coveo's secret scanning, a leak report): recorded in
 * state by `read` (so `pulumi refresh` brings it in), never with the secret. With
 * `rotation.onExposure` the next `up` replaces the secret before the API deactivates the key.
 */
export interface KeyExposure {
  /** How bad the API rates it (Coveo: CRITICAL, HIGH, MEDIUM, LOW or WARN). */
  readonly severity: string;
  /** Where the secret was found. */
  readonly reasons: readonly { readonly source: string; readonly url?: string }[];
  /** When the API deactivates the key unless it is rotated first (ISO-8601). */
  readonly deactivatesAt?: string;
}

/** The exposure as a reviewer reads it: `exposed (GITHUB, https://…), deactivated on 2026-12-04`. */
export function describeExposure(exposure: KeyExposure): string {
  const where = exposure.reasons.map((r) => (r.url ? `${r.source}, ${r.url}` : r.source)).join("; ");
  const when = exposure.deactivatesAt ? `, deactivated on ${exposure.deactivatesAt.slice(0, 10)}` : "";
  return `exposed (${where || exposure.severity})${when}`;
}

/**
 * The grace period a rotation of an exposed key may give the old secret: what the declaration asks
 * for, but never past the moment the API deactivates the key (consumers would fail then anyway).
 */
export function graceBeforeDeactivation(declaredSeconds: number, exposure: KeyExposure | undefined, now: Date): number {
  if (!exposure?.deactivatesAt) return declaredSeconds;
  const untilDeactivation = Math.floor((Date.parse(exposure.deactivatesAt) - now.getTime()) / 1000);
  return Math.max(0, Math.min(declaredSeconds, untilDeactivation));
}
