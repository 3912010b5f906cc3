import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { userDocuments } from "./userDocuments";
import { parse } from "yaml";
import type { ApiKeyArgs } from "../../provider";
import { repoRoot } from "./engine";

/** One key as a user copies it from the README, docs/ or examples/: where it is written and its arguments. */
export interface KeyDeclaration {
  /** `file:line` of the declaration. */
  readonly source: string;
  /** The resource name it is declared with. */
  readonly name: string;
  /** The backend its example targets: the examples for Coveo and Didomi accounts live in their folders. */
  readonly backend: "reference" | "coveo" | "didomi";
  readonly args: ApiKeyArgs;
}

/**
 * What a declaration refers to beyond its literal: stack config read with `config.get` (unset: the
 * example's default applies) and examples/rotation's random trigger. Any other name fails the
 * evaluation, naming the source, so a new example either stays literal or gets its stand-in here.
 */
const STAND_INS: Record<string, unknown> = {
  config: { get: () => undefined, require: (key: string) => key },
  rotation: { hex: "5f3c9a" },
};

/** The files a user copies keys from: the pages a user reads, and every TypeScript or Pulumi.yaml under examples/. */
export function declarationFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      if (entry === "node_modules") return [];
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
  const examples = walk(join(repoRoot, "examples")).filter((path) => path.endsWith(".ts") || path.endsWith("Pulumi.yaml"));
  return [...userDocuments(), ...examples.map((path) => relative(repoRoot, path))];
}

/** Whether a file declares a key at all (by class name or YAML type token): each such file must yield a declaration. */
export function mentionsKeyDeclaration(text: string): boolean {
  return /new (?:apikeys\.)?(?:Native)?ApiKey\(|type: apikeys:(?:index:)?ApiKey\b/.test(text);
}

/** The text of `{ ... }` starting at `open`, braces balanced outside string literals and comments. */
function objectLiteralAt(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === "\\") i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error("unbalanced braces");
}

const lineOf = (text: string, index: number) => text.slice(0, index).split("\n").length;

/** `firstLine`: the file's line number of the text's first line (a code block's, in a Markdown file). */
function typeScriptDeclarations(file: string, text: string, backend: KeyDeclaration["backend"], firstLine = 1): KeyDeclaration[] {
  const found: KeyDeclaration[] = [];
  for (const match of text.matchAll(/new (?:apikeys\.)?(?:Native)?ApiKey\(\s*"([^"]+)",\s*\{/g)) {
    const open = match.index + match[0].length - 1;
    const source = `${file}:${lineOf(text, match.index) + firstLine - 1}`;
    let args: ApiKeyArgs;
    try {
      const literal = objectLiteralAt(text, open);
      args = new Function(...Object.keys(STAND_INS), `return (${literal});`)(...Object.values(STAND_INS)) as ApiKeyArgs;
    } catch (error) {
      throw new Error(`${source}: the declaration of "${match[1]}" cannot be evaluated as written (${String(error)})`, { cause: error });
    }
    found.push({ source, name: match[1], backend, args });
  }
  return found;
}

/** `${name}` interpolations stand for values the program computes: a string where the declaration has one. */
function withoutInterpolations(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/\$\{[^}]+\}/g, "interpolated");
  if (Array.isArray(value)) return value.map(withoutInterpolations);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutInterpolations(v)]));
  return value;
}

function yamlDeclarations(file: string, text: string, backend: KeyDeclaration["backend"], firstLine: number): KeyDeclaration[] {
  const program = parse(text) as { resources?: Record<string, { type?: string; properties?: Record<string, unknown> }> } | null;
  return Object.entries(program?.resources ?? {})
    .filter(([, resource]) => resource.type === "apikeys:ApiKey" || resource.type === "apikeys:index:ApiKey")
    .map(([name, resource]) => ({
      source: `${file}:${lineOf(text, Math.max(0, text.indexOf(`  ${name}:`))) + firstLine - 1}`,
      name,
      backend,
      args: withoutInterpolations(resource.properties ?? {}) as ApiKeyArgs,
    }));
}

/**
 * Every key declared in one file: in the code blocks of a Markdown file, or in a program under
 * examples/. A file or block that declares a key in a shape this reader misses throws, so no
 * example escapes the policy test unseen.
 */
export function declarationsIn(file: string): KeyDeclaration[] {
  const text = readFileSync(join(repoRoot, file), "utf8");
  const backend = file.startsWith("examples/coveo/") ? "coveo" : file.startsWith("examples/didomi/") ? "didomi" : "reference";
  const blocks = file.endsWith(".md")
    ? [...text.matchAll(/^```(ts|typescript|yaml)\n([\s\S]*?)^```/gm)].map((block) => ({
        yaml: block[1] === "yaml",
        text: block[2],
        firstLine: lineOf(text, block.index) + 1,
      }))
    : [{ yaml: file.endsWith(".yaml"), text, firstLine: 1 }];
  return blocks.flatMap((block) => {
    if (!mentionsKeyDeclaration(block.text)) return [];
    const found = block.yaml
      ? yamlDeclarations(file, block.text, backend, block.firstLine)
      : typeScriptDeclarations(file, block.text, backend, block.firstLine);
    if (found.length === 0) throw new Error(`${file}:${block.firstLine}: declares a key this reader cannot find (test/helpers/keyDeclarations.ts)`);
    return found;
  });
}
