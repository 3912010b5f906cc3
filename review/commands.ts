import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";

/** The `pulumi-apikeys` commands, in the order the usage lists them. */
const COMMANDS = ["review", "report", "conformance"] as const;

/** The installed package's version, from its package.json (found above this file: review/ in the sources, dist/review/ when built). */
export function packageVersion(): string {
  const manifest = z.object({ name: z.string(), version: z.string() });
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const parsed = manifest.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (parsed.success && parsed.data.name === "pulumi-apikeys") return parsed.data.version;
    }
    if (dirname(dir) === dir) return "unknown";
  }
}

/**
 * Whether a first argument was meant as a command rather than a file to review: a bare word, not a
 * path (no dot, no slash). `pulumi-apikeys preview.json` still reviews that file, as it always did.
 */
export function looksLikeCommand(argument: string): boolean {
  return /^[a-z][a-z-]*$/i.test(argument);
}

/** The refusal of an unknown command: which ones there are, and the nearest if it looks mistyped. */
export function unknownCommand(given: string): string {
  const nearest = COMMANDS.map((command) => ({ command, distance: editDistance(given.toLowerCase(), command) })).sort((a, b) => a.distance - b.distance)[0];
  const suggestion = nearest.distance <= 2 ? `; did you mean "${nearest.command}"?` : "";
  return `pulumi-apikeys: unknown command "${given}"${suggestion}\nCommands: ${COMMANDS.join(", ")} (pulumi-apikeys --help)\n`;
}

/** Levenshtein distance, for a short word against a handful of commands. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
