import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { loadDescription } from "../provider/backends/http/load";
import { ConnectionConfigError } from "../provider/errors";
import { describedScopeRules, type ScopeRule } from "../shared/privilegeRisks";

/** What the review and the report read from a key API description: how its scopes rate, whether it reports last use. */
export interface DescribedApi {
  readonly file: string;
  readonly scopeRules: readonly ScopeRule[];
  readonly reportsLastUse: boolean;
}

/**
 * Key API descriptions as the review and the report find them: the files named on the command line
 * (`--api`), and the one a key's own `connection.api` names where state or the preview shows it in
 * plain text (read relative to the working directory, as the program reads it from its own). A file
 * that is wrong fails with the provider's own message; a key's file that is not there is no
 * description, and its scopes are rated "unknown".
 */
export class DescribedApis {
  private readonly loaded = new Map<string, DescribedApi | undefined>();
  private readonly given: readonly DescribedApi[];

  constructor(
    private readonly cwd: string,
    files: readonly string[] = [],
  ) {
    this.given = files.map((file) => this.load(file, true)).filter((api): api is DescribedApi => api !== undefined);
  }

  private load(file: string, required: boolean): DescribedApi | undefined {
    const path = isAbsolute(file) ? file : resolve(this.cwd, file);
    if (this.loaded.has(path)) return this.loaded.get(path);
    // A key's own file that is missing or wrong rates nothing (its scopes stay unknown): the provider's
    // preview names what is wrong with it; a file given on the command line must be right.
    const api = required ? read(file, this.cwd) : existsSync(path) ? readOrNothing(file, this.cwd) : undefined;
    this.loaded.set(path, api);
    return api;
  }

  /** The descriptions that hold for a key: its own (`connection.api`, when readable), else those given. */
  forKey(connection: unknown): readonly DescribedApi[] {
    const api = typeof connection === "object" && connection !== null && "api" in connection ? connection.api : undefined;
    const own = typeof api === "string" && api !== "" ? this.load(api, false) : undefined;
    return own ? [own] : this.given;
  }
}

function readOrNothing(file: string, cwd: string): DescribedApi | undefined {
  try {
    return read(file, cwd);
  } catch (error) {
    if (error instanceof ConnectionConfigError) return undefined;
    throw error;
  }
}

function read(file: string, cwd: string): DescribedApi {
  const { description } = loadDescription(file, cwd);
  const answers = (field: string) => Object.hasOwn(description.answer, field) || Object.hasOwn(description.read.answer ?? {}, field);
  return {
    file,
    scopeRules: describedScopeRules(description.risks ?? {}, `${description.name} description (${file})`),
    reportsLastUse: answers("lastUsedAt"),
  };
}
