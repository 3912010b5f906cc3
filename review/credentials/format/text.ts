import type { LastUse, ReportedOutput, RotationPolicy } from "../keyRecords";
import type { ReportedKey } from "../report";

/** Words for a report's cells, shared by the Markdown and CSV formats so both say the same. */

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** `2026-12-04`: a day is precise enough for an access review, and reads in a table. */
export function day(iso: string | undefined): string {
  return iso ? iso.slice(0, 10) : "";
}

export function rotationText(rotation: RotationPolicy): string {
  const parts: string[] = [];
  if (rotation.rotateAfterDays !== undefined) parts.push(`every ${plural(rotation.rotateAfterDays, "day")}`);
  if (rotation.lifetime) parts.push(`lifetime ${rotation.lifetime}`);
  if (rotation.renewBeforeExpiry) parts.push(`renewed ${rotation.renewBeforeExpiry} before expiry`);
  return parts.join(", ") || "none";
}

/** `unreadable (secret)` for the first of `fields` the report could not read, else undefined. */
export function unreadableText(key: ReportedKey, ...fields: ReportedOutput[]): string | undefined {
  const found = key.unreadable.find((u) => fields.includes(u.field));
  return found ? `unreadable (${found.why})` : undefined;
}

export function lastUseText(lastUse: LastUse, backend: string | undefined): string {
  if (!lastUse.reported && lastUse.unreadable) return "unreadable";
  if (!lastUse.reported) return `not reported by ${backend ?? "the key API"}`;
  const ago = lastUse.daysUnused === 0 ? "today" : `${plural(lastUse.daysUnused ?? 0, "day")} ago`;
  const since = lastUse.daysUnused === undefined ? "" : ` (${lastUse.at ? ago : `${plural(lastUse.daysUnused, "day")} since creation`})`;
  return `${lastUse.at ? day(lastUse.at) : "never"}${since}`;
}

export function secretAgeText(key: ReportedKey): string {
  return key.secretAgeDays === undefined ? (unreadableText(key, "rotatedAt", "createdAt") ?? "") : plural(key.secretAgeDays, "day");
}

export function expiryText(key: ReportedKey): string {
  if (!key.expiresAt) return unreadableText(key, "expiresAt") ?? "never";
  if (key.daysToExpiry === undefined) return day(key.expiresAt);
  return `${day(key.expiresAt)} (${key.daysToExpiry < 0 ? `${plural(-key.daysToExpiry, "day")} ago` : `in ${plural(key.daysToExpiry, "day")}`})`;
}

/** Who to ask about the key: its owner label, else what its description says. */
export function ownerText(key: ReportedKey): string {
  return key.owner ?? key.description ?? unreadableText(key, "metadata", "description") ?? "";
}
