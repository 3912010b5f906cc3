import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/**
 * A small link checker for the repository's Markdown: relative links to files and folders, #anchors
 * in this file or another Markdown file (GitHub's heading slugs), and the syntax of http(s) links
 * (nothing here can reach the network, so they are not fetched).
 */

export interface LinkProblem {
  /** Path relative to the root, with forward slashes. */
  file: string;
  line: number;
  target: string;
  reason: string;
}

export interface MarkdownLink {
  line: number;
  target: string;
}

export interface CodeBlock {
  /** The fence's info string, lowercased (`ts`, `yaml`, `sh`, ... or ""). */
  lang: string;
  /** The line number of the block's first line of code (1-based). */
  line: number;
  code: string;
}

export function formatProblem(p: LinkProblem): string {
  return `${p.file}:${p.line}: broken link "${p.target}": ${p.reason}`;
}

/**
 * GitHub's anchor for a heading (github-slugger): the heading's text as rendered (link text kept,
 * code and emphasis marks dropped), lowercased, every character that is not a letter, digit, mark,
 * space, `-` or `_` dropped, and each space turned into `-`.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/<[^>]+>/g, "")
    .replace(/[`*~]/g, "")
    .trim();
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

interface Fence {
  char: string;
  length: number;
}

/** Splits a Markdown text into its lines, each marked as inside a fenced code block or not. */
function scanLines(markdown: string): { text: string; fenced: boolean }[] {
  const lines = markdown.split("\n");
  let open: Fence | undefined;
  return lines.map((text) => {
    const fence = /^\s*(`{3,}|~{3,})/.exec(text);
    if (open) {
      if (fence && fence[1][0] === open.char && fence[1].length >= open.length && text.trim() === fence[1]) open = undefined;
      return { text, fenced: true };
    }
    if (fence) {
      open = { char: fence[1][0], length: fence[1].length };
      return { text, fenced: true };
    }
    return { text, fenced: false };
  });
}

/** The fenced code blocks of a Markdown text, with their language and where their code starts. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, marker, lang] = open;
    const code: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[j]);
      if (close && close[1][0] === marker[0] && close[1].length >= marker.length) break;
      code.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
    }
    blocks.push({ lang: lang.toLowerCase(), line: i + 2, code: code.join("\n") });
    i = j;
  }
  return blocks;
}

/** Every anchor a Markdown file offers: its headings' slugs (numbered when repeated) and `<a id|name>`. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text, fenced } of scanLines(markdown)) {
    if (fenced) continue;
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) {
      const slug = githubSlug(heading[1]);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const html of text.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/gi)) anchors.add(html[1]);
  }
  return anchors;
}

/**
 * The link and image targets of a Markdown text with their line numbers: inline `[text](target)`,
 * `![alt](target)`, reference definitions `[label]: target` and `<http://...>` autolinks. Code
 * blocks and code spans are skipped; a link's text may wrap over lines.
 */
export function linksOf(markdown: string): MarkdownLink[] {
  // Blank out fenced blocks (keeping the line breaks, so offsets still give line numbers).
  const unfenced = scanLines(markdown)
    .map(({ text, fenced }) => (fenced ? "" : text))
    .join("\n");
  // Blank out code spans (within a paragraph), keeping their length.
  const text = unfenced.replace(/(`+)((?:(?!\n\s*\n)[\s\S])*?)\1/g, (span) => span.replace(/[^\n]/g, " "));
  const lineAt = (index: number) => text.slice(0, index).split("\n").length;
  const links: MarkdownLink[] = [];
  const inline = /!?\[((?:[^[\]]|\[[^\]]*\])*)\]\(\s*(<[^>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'))?\s*\)/g;
  for (const m of text.matchAll(inline)) {
    const target = m[2].replace(/^<(.*)>$/, "$1");
    links.push({ line: lineAt(m.index! + m[0].indexOf("](") + 2), target });
  }
  for (const m of text.matchAll(/^ {0,3}\[[^\]\n]+\]:\s*(\S+)/gm)) links.push({ line: lineAt(m.index!), target: m[1].replace(/^<(.*)>$/, "$1") });
  for (const m of text.matchAll(/<(https?:\/\/[^>\s]+)>/g)) links.push({ line: lineAt(m.index!), target: m[1] });
  return links.sort((a, b) => a.line - b.line);
}

function checkWebLink(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return "not a valid URL";
  }
  if (!/^[a-z0-9.-]+$/i.test(url.hostname) || !(url.hostname.includes(".") || url.hostname === "localhost")) return `"${url.hostname}" is not a host name`;
  return undefined;
}

/** Checks every link of the given Markdown files (paths relative to root); returns what is broken. */
export function checkLinks(root: string, files: string[]): LinkProblem[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOfFile = (path: string) => {
    if (!anchorCache.has(path)) anchorCache.set(path, anchorsOf(readFileSync(path, "utf8")));
    return anchorCache.get(path)!;
  };
  const problems: LinkProblem[] = [];
  for (const file of files) {
    const path = join(root, file);
    const name = file.split(sep).join("/");
    for (const { line, target } of linksOf(readFileSync(path, "utf8"))) {
      const problem = (reason: string) => problems.push({ file: name, line, target, reason });
      if (target === "") {
        problem("empty target");
        continue;
      }
      if (/^https?:/i.test(target)) {
        const bad = checkWebLink(target);
        if (bad) problem(bad);
        continue;
      }
      if (/^mailto:/i.test(target)) {
        if (!/^mailto:[^@\s]+@[^@\s]+$/i.test(target)) problem("not a valid mailto: address");
        continue;
      }
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
        problem("a scheme other than http(s) or mailto");
        continue;
      }
      if (target.startsWith("/")) {
        problem("an absolute path: GitHub resolves it against github.com, not the repository; use a relative path");
        continue;
      }
      const hash = target.indexOf("#");
      const pathPart = hash === -1 ? target : target.slice(0, hash);
      const fragment = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      let resolved = path;
      if (pathPart !== "") {
        resolved = resolve(dirname(path), decodeURIComponent(pathPart));
        const inRepo = relative(root, resolved);
        if (inRepo.startsWith("..")) {
          problem("points outside the repository");
          continue;
        }
        if (!existsSync(resolved)) {
          problem(`no such file or folder: ${inRepo.split(sep).join("/")}`);
          continue;
        }
      }
      if (fragment === undefined) continue;
      if (fragment === "") {
        problem("empty #anchor");
        continue;
      }
      if (statSync(resolved).isDirectory()) {
        problem("an #anchor on a folder");
        continue;
      }
      if (!resolved.endsWith(".md")) {
        if (!/^L\d+(-L\d+)?$/.test(fragment)) problem(`#${fragment} is not a line anchor (#L12 or #L12-L20) of ${relative(root, resolved)}`);
        continue;
      }
      if (!anchorsOfFile(resolved).has(fragment)) {
        problem(`no heading with the anchor #${fragment} in ${relative(root, resolved).split(sep).join("/")}`);
      }
    }
  }
  return problems;
}
