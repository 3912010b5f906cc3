import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { errorCodeOf, messageOf } from "../caught";
import { rulesFileSchema, type RulesFile } from "./schema";

/** The name `review` looks for, from the working directory up to the repository root. */
export const RULES_FILE_NAME = "apikeys-review.json";

/** A rules file that cannot be used: names the file, the field and the fix. */
export class RulesFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = "RulesFileError";
  }
}

/** Parses a rules file's text; the error names the first wrong field by its path (risks[2].severity). */
export function parseRulesFile(text: string, file: string): RulesFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RulesFileError(file, `is not JSON (${messageOf(error)})`);
  }
  const result = rulesFileSchema().safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue.path
      .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
      .join("")
      .replace(/^\./, "");
    throw new RulesFileError(file, `${path || "the file"}: ${issue.message}`);
  }
  return result.data;
}

export function loadRulesFile(file: string): RulesFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RulesFileError(file, `cannot be read (${errorCodeOf(error) ?? messageOf(error)})`);
  }
  return parseRulesFile(text, file);
}

/** apikeys-review.json in `from` or the nearest parent, stopping at a repository root (a .git entry). */
export function findRulesFile(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, RULES_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, ".git")) || dirname(dir) === dir) return undefined;
  }
}
