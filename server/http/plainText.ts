import { z } from "zod";

/**
 * Characters that make a name lie about itself when shown in a console, a log or a terminal: C0/C1
 * controls (NUL, ESC and its terminal escapes, line breaks), invisible spaces (zero-width space,
 * word joiner, BOM), and the bidirectional embeddings, overrides and isolates (U+202E shows text
 * backwards). Joiners that real text needs stay allowed: U+200D in emoji sequences, U+200C in
 * Persian and Indic scripts, left/right marks in mixed-direction text, tag characters in flags.
 *
 * Written as `\uXXXX` ranges (the C0/C1 controls are exactly Unicode's Cc) in a pattern without
 * flags, so the same text is both the validator and the OpenAPI document's `pattern`, which any
 * ECMA-262 regex engine reads the same way.
 */
const INVISIBLE = "\\u200B\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\u2028\\u2029\\uFEFF";
const CONTROLS = "\\u0000-\\u001F\\u007F-\\u009F";
/** The same controls less tab (U+0009), line feed (U+000A) and carriage return (U+000D). */
const CONTROLS_EXCEPT_LINE_BREAKS = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F";
const FREE_OF_CONTROLS = new RegExp(`^[^${CONTROLS}${INVISIBLE}]*$`);
const FREE_OF_CONTROLS_EXCEPT_LINE_BREAKS = new RegExp(`^[^${CONTROLS_EXCEPT_LINE_BREAKS}${INVISIBLE}]*$`);

/** A human-readable text field: trimmed, bounded, and free of control and invisible characters. */
export function plainText(maxLength: number, options: { allowLineBreaks?: boolean } = {}) {
  const allowed = options.allowLineBreaks ? FREE_OF_CONTROLS_EXCEPT_LINE_BREAKS : FREE_OF_CONTROLS;
  const what = options.allowLineBreaks
    ? "control or invisible characters (tabs and line breaks are fine)"
    : "control characters, line breaks or invisible characters (zero-width, bidirectional overrides)";
  const base = options.allowLineBreaks ? z.string() : z.string().trim().min(1, "must not be empty");
  return base.max(maxLength, `must be at most ${maxLength} characters`).regex(allowed, `must not contain ${what}`);
}
