/**
 * Text for a cell of a GitHub-flavoured Markdown table, from anything a key's owner or a stack's
 * state can hold (a description, a metadata label, a privilege's targetIds, a resource name): it
 * renders as the same text, and as nothing else. The credential report and the review both print
 * such tables, for a job summary, an issue or a pull-request comment.
 *
 * - Line endings (LF, CR LF and a lone CR, which CommonMark all take as the end of the row) and tabs
 *   become a space; every other control character shows as its Control Pictures sign (U+241B for
 *   ESC, U+240D for a lone CR) or U+FFFD for C1 controls, so a reader sees that something was there.
 * - Unicode's line and paragraph separators become a space, and the bidirectional embeddings,
 *   overrides and isolates U+FFFD: they can make a cell read backwards.
 * - `|` (it ends a cell, even inside a code span), the backtick (it opens a code span, inside which
 *   nothing is escaped), `<` and `>` (raw HTML: `<!--` hides every later row, `<img>` loads a URL)
 *   and `&` (a character reference) are written as character references.
 * - `\`, `*`, `[`, `]`, `~` and `$` are backslash-escaped: no emphasis, link, image,
 *   strikethrough or math made of someone else's text. `_` is not: it makes no emphasis inside a
 *   word (SEARCH_API), and around one it is only emphasis.
 *
 * Not neutralised: GitHub's autolinks (a URL stays a link, showing its own address) and @mentions.
 */
export function markdownText(text: string): string {
  return text.replace(TEXT_ESCAPED, escapeOne);
}

/**
 * C0 and C1 controls (Unicode's Cc), line and paragraph separators, bidirectional embeddings,
 * overrides and isolates: written as `\uXXXX` in a string (a control character in a regex literal
 * is what a linter flags as a mistake).
 */
const CONTROLS = "\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069";
const CONTROLS_ESCAPED = new RegExp(`\\r\\n|[${CONTROLS}]`, "g");
const TEXT_ESCAPED = new RegExp(`\\r\\n|[${CONTROLS}&<>|\`\\\\*[\\]~$]`, "g");

/** Line endings, tabs and other controls as `markdownText` writes them, and nothing else changed. */
function withoutControls(text: string): string {
  return text.replace(CONTROLS_ESCAPED, escapeOne);
}

/**
 * A code span in a table cell, holding `text` as it is: in a code span `<` and `&` are text and no
 * escape works, so the fence is one backtick longer than the longest run of backticks inside (padded
 * with a space where the text starts or ends with one), `|` is written `\|` (GFM unescapes it when it
 * splits the row, before the span is read, even after a backslash of the text), and the controls
 * are those of `markdownText`.
 */
export function markdownCode(text: string): string {
  const content = withoutControls(text).replace(/\|/g, "\\|");
  const longest = (content.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length), 0);
  const fence = "`".repeat(longest + 1);
  // CommonMark strips one space from each end when both have one: a padded or space-wrapped text keeps its own.
  const pad = content.startsWith("`") || content.endsWith("`") || (content.startsWith(" ") && content.endsWith(" ") && content.trim() !== "") ? " " : "";
  return `${fence}${pad}${content}${pad}${fence}`;
}

const REFERENCES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "`": "&#96;" };

function escapeOne(match: string): string {
  if (match === "\r\n" || match === "\n" || match === "\t" || match === "\u2028" || match === "\u2029") return " ";
  const reference = REFERENCES[match];
  if (reference) return reference;
  const code = match.charCodeAt(0);
  // C0 controls and DEL have visible signs at U+2400-U+2421.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return "\u2421";
  if ((code >= 0x80 && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) return "\uFFFD";
  return `\\${match}`;
}

/** A table cell: `markdownText`, or an en dash for an empty cell (an empty one reads as missing). */
export function markdownCell(text: string): string {
  return markdownText(text) || "–";
}
