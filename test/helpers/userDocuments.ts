import { readdirSync } from "node:fs";
import { join } from "node:path";

const root = join(__dirname, "../..");

/**
 * The pages a user reads, relative to the repository: the README, every docs/*.md (sorted) and the
 * server's README. The docs tests (links, command flags, variables, key declarations) each check
 * these, plus what else they name, so a new page is checked by all of them at once.
 */
export function userDocuments(): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs, "server/README.md"];
}
