/**
 * The characters a key's description and metadata labels may not hold, for the provider's `check`
 * and the key server alike: what they refuse, one pattern each. Reports print these fields into
 * Markdown tables, consoles and terminals, where a control character ends a row (a lone CR), starts a
 * terminal escape (ESC) or reorders the text (U+202E); shared/markdown.ts escapes whatever state
 * still holds, this keeps new ones out.
 *
 * Written as `\uXXXX` ranges in patterns without flags, so the same text is the validator and the
 * OpenAPI document's `pattern`, read the same by any ECMA-262 engine (server/http/plainText.ts uses
 * the same classes for other fields).
 */

/** C0 and C1 controls (Unicode's Cc) but tab, line feed and carriage return. */
const CONTROLS_BUT_LINE_BREAKS = "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F";
/** Zero-width space, bidirectional embeddings, overrides and isolates, invisible operators, line and paragraph separators, BOM. */
const INVISIBLE = "\\u200B\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\u2028\\u2029\\uFEFF";

/**
 * A description: text over several lines. Tabs and line feeds are fine, and a carriage return
 * before a line feed (a description read from a file written on Windows); a lone carriage return,
 * which Markdown and terminals take as a line break of its own, is not.
 */
export const DESCRIPTION_PATTERN = new RegExp(`^(?:[^${CONTROLS_BUT_LINE_BREAKS}${INVISIBLE}\\r]|\\r\\n)*$`);
export const DESCRIPTION_MESSAGE =
  "must not contain control characters (a carriage return not followed by a line feed, ESC, NUL) or invisible ones (zero-width, bidirectional overrides); remove them (tabs and line breaks are fine)";

/** A metadata label's name or value: one line, no control character at all. */
export const LABEL_PATTERN = new RegExp(`^[^${CONTROLS_BUT_LINE_BREAKS}\\t\\n\\r${INVISIBLE}]*$`);
export const LABEL_MESSAGE =
  "must not contain control characters (tabs and line breaks included) or invisible ones (zero-width, bidirectional overrides); a label is one line of text: remove them";
