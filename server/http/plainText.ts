import { z } from "zod";

/**
 * Characters that make a name lie about itself when shown in a console, a log or a terminal: C0/C1
 * controls (NUL, ESC and its terminal escapes, line breaks), invisible spaces (zero-width space,
 * word joiner, BOM), and the bidirectional embeddings, overrides and isolates (U+202E shows text
 * backwards). Joiners that real text needs stay allowed: U+200D in emoji sequences, U+200C in
 * Persian and Indic scripts, left/right marks in mixed-direction text, tag characters in flags.
 */
const INVISIBLE = "\u200B\u202A-\u202E\u2060-\u2064\u2066-\u2069\u2028\u2029\uFEFF";
const CONTROL = new RegExp(`[\\p{Cc}${INVISIBLE}]`, "u");
const CONTROL_EXCEPT_LINE_BREAKS = new RegExp(`(?![\\t\\n\\r])[\\p{Cc}${INVISIBLE}]`, "u");

/** A human-readable text field: trimmed, bounded, and free of control and invisible characters. */
export function plainText(maxLength: number, options: { allowLineBreaks?: boolean } = {}) {
  const forbidden = options.allowLineBreaks ? CONTROL_EXCEPT_LINE_BREAKS : CONTROL;
  const what = options.allowLineBreaks
    ? "control or invisible characters (tabs and line breaks are fine)"
    : "control characters, line breaks or invisible characters (zero-width, bidirectional overrides)";
  const base = options.allowLineBreaks ? z.string() : z.string().trim().min(1, "must not be empty");
  return base.max(maxLength, `must be at most ${maxLength} characters`).refine((text) => !forbidden.test(text), `must not contain ${what}`);
}
