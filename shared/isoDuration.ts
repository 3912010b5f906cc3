import { z } from "zod";

/** `P90D`, `P1M`, `P1Y2M`, `PT12H`, `P2W`: ISO-8601 durations as key lifetimes and renewal windows take them. */
const PATTERN = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

const ISO_DURATION_MESSAGE = "must be an ISO-8601 duration such as P90D or P1M";

/** Why a key cannot have both: said the same by the provider's check and the server. */
export const LIFETIME_WITH_EXPIRY = "set either expiresAt (a fixed date) or lifetime (renewed with each new secret), not both";

/**
 * The longest duration a lifetime or a renewal window may be. Without a bound, `P300000Y` or
 * `PT99999999999H` put the expiry past the last date JavaScript can represent (year 275760): the
 * server's toISOString threw (a 500) and the provider compared NaN dates.
 */
export const MAX_ISO_DURATION = "P100Y";

const MAX_ISO_DURATION_MESSAGE = `must be at most ${MAX_ISO_DURATION} (100 years)`;

/** Room for any sensible way to write a duration within MAX_ISO_DURATION (P99Y11M4W6DT23H59M59S is 22 characters). */
const MAX_ISO_DURATION_LENGTH = 40;

/**
 * An ISO-8601 duration of at most MAX_ISO_DURATION. Whether it fits is measured from the moment of
 * validation: a lifetime is applied from each new secret, and 100 calendar years from any date
 * stays far inside the representable range, so a value accepted today cannot overflow at a later roll.
 */
export function isoDurationSchema() {
  return z
    .string()
    .regex(PATTERN, ISO_DURATION_MESSAGE)
    .max(MAX_ISO_DURATION_LENGTH, `must be at most ${MAX_ISO_DURATION_LENGTH} characters`)
    .refine((duration) => !PATTERN.test(duration) || fitsWithinMaximum(duration), MAX_ISO_DURATION_MESSAGE);
}

/** Whether the duration, from now, ends no later than MAX_ISO_DURATION from now (false for an overflow: NaN compares false). */
function fitsWithinMaximum(duration: string): boolean {
  const now = new Date();
  return addIsoDuration(now, duration).getTime() <= addIsoDuration(now, MAX_ISO_DURATION).getTime();
}

/**
 * `from` plus the duration. Years and months are calendar ones (P1M from January 31 is the last day
 * of February), the rest exact: the same rule the server applies to a key's lifetime.
 */
export function addIsoDuration(from: Date, duration: string): Date {
  const match = PATTERN.exec(duration);
  if (!match) throw new RangeError(`"${duration}" ${ISO_DURATION_MESSAGE}`);
  const [years, months, weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  const result = new Date(from.getTime());
  if (years || months) {
    const day = result.getUTCDate();
    result.setUTCDate(1);
    result.setUTCMonth(result.getUTCMonth() + years * 12 + months);
    const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
    result.setUTCDate(Math.min(day, lastDay));
  }
  return new Date(result.getTime() + ((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000);
}

/** Whether `shorter` ends before `longer` when both start at `from` (P1M against P30D depends on the month). */
export function isShorterThan(shorter: string, longer: string, from: Date): boolean {
  return addIsoDuration(from, shorter).getTime() < addIsoDuration(from, longer).getTime();
}
