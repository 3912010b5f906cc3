import { readFileSync, statSync } from "node:fs";
import { extname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { KeyApiDescriptionError } from "./errors";
import {
  ANSWER_FIELDS,
  descriptionSchema,
  KEY_VALUE_PLACEHOLDERS,
  ROLL_PLACEHOLDERS,
  type AnswerPointers,
  type KeyApiDescription,
  type KeyApiRequest,
} from "./description";
import { placeholdersIn, placeholdersOf } from "./template";

/** A description as read from its file, checked. */
export interface LoadedDescription {
  /** The path as the connection names it (for messages). */
  readonly file: string;
  readonly description: KeyApiDescription;
}

/** One thing wrong in a description: the field and what is wrong with it. */
interface Problem {
  readonly field: string;
  readonly problem: string;
}

/** Whether a URL's host is this machine: 127.0.0.0/8, ::1 or localhost, where plain http is fine. */
function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Why a URL the provider would send the token to is refused, or undefined when it is fine. */
export function insecureUrlProblem(url: string): string | undefined {
  if (new URL(url).protocol === "https:" || isLoopbackUrl(url)) return undefined;
  return `is ${url}: the token would travel unencrypted; use https (plain http only on loopback: 127.0.0.0/8, ::1, localhost)`;
}

const REQUESTS = ["create", "read", "update", "delete", "roll"] as const;
type RequestName = (typeof REQUESTS)[number];

/** The placeholders each request's body may use, besides `{id}` (not in a create) and the variables. */
function bodyPlaceholders(name: RequestName): readonly string[] {
  if (name === "create" || name === "update") return KEY_VALUE_PLACEHOLDERS;
  if (name === "roll") return [...ROLL_PLACEHOLDERS, "lifetimeSeconds", "lifetimeMilliseconds"];
  return [];
}

function placeholderProblems(name: RequestName, request: KeyApiRequest, variables: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  const onKey = name !== "create";
  const inPath = placeholdersIn(request.path);
  for (const placeholder of inPath) {
    if (placeholder === "id" && onKey) continue;
    if (variables.includes(placeholder)) continue;
    const fix =
      placeholder === "id"
        ? "a create has no key id yet; remove it"
        : `add ${placeholder} to variables, or use one of: ${[...(onKey ? ["id"] : []), ...variables].join(", ") || "(no variables)"}`;
    problems.push({ field: `${name}.path`, problem: `uses {${placeholder}}, which has no value: ${fix}` });
  }
  const allowed = [...bodyPlaceholders(name), ...(onKey ? ["id"] : []), ...variables];
  for (const placeholder of new Set(placeholdersOf(request.body))) {
    if (!allowed.includes(placeholder))
      problems.push({
        field: `${name}.body`,
        problem: `uses {${placeholder}}, which ${name} cannot fill: use one of ${allowed.map((p) => `{${p}}`).join(", ")}`,
      });
  }
  if (onKey && !inPath.includes("id") && !placeholdersOf(request.body).includes("id"))
    problems.push({ field: `${name}.path`, problem: "does not say which key: put {id} in the path (or the body)" });
  return problems;
}

/** The pointers a request's answer is read with: the description's, with the request's own over them. */
export function answerPointersFor(description: KeyApiDescription, request: KeyApiRequest | undefined): AnswerPointers {
  return { ...description.answer, ...request?.answer };
}

/** The checks no JSON Schema can say: where a value goes, where the token goes, which pointer is the secret. */
function semanticProblems(description: KeyApiDescription): Problem[] {
  const problems: Problem[] = [];
  const insecure = insecureUrlProblem(description.baseUrl);
  if (insecure) problems.push({ field: "baseUrl", problem: insecure });
  if (description.auth.kind === "header" && !description.auth.header)
    problems.push({ field: "auth.header", problem: "is required with kind header: name the header that carries the token, such as X-Api-Key" });
  const variables = Object.keys(description.variables ?? {});
  for (const name of REQUESTS) {
    const request = description[name];
    if (request) problems.push(...placeholderProblems(name, request, variables));
  }
  if (description.update) {
    const sent = placeholdersOf(description.update.body);
    for (const field of description.update.fields)
      if (!sent.includes(field))
        problems.push({ field: "update.fields", problem: `names ${field}, but update.body has no {${field}}: add it to the body, or remove ${field}` });
  }
  // The secret is never read back: a read answer's field at the secret's pointer would put the secret
  // in state as that field, in plain text.
  const read = answerPointersFor(description, description.read);
  const secret = description.answer.secret;
  for (const field of ["id", ...ANSWER_FIELDS] as const) {
    if (read[field] === secret)
      problems.push({
        field: "answer.secret",
        problem: `is "${secret}", which the read answer also uses for ${field}: a secret read back as ${field} would be stored in plain text; point ${field} elsewhere (or leave it out)`,
      });
  }
  return problems;
}

/** `create.body` or `goneStatuses[0]`: a field as a reader of the file finds it. */
function propertyPathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), "");
}

function firstIssue(error: z.ZodError): Problem {
  const issue = error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const at = propertyPathOf(issue.path);
    return { field: at ? `${at}.${issue.keys[0]}` : issue.keys[0], problem: `is not a field of a key API description; remove it or check its spelling` };
  }
  const input = "input" in issue ? issue.input : undefined;
  if (input === undefined && issue.code === "invalid_type") return { field: propertyPathOf(issue.path), problem: `is missing: it is required` };
  return { field: propertyPathOf(issue.path), problem: issue.message };
}

function parseText(file: string, text: string): unknown {
  try {
    return extname(file).toLowerCase() === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new KeyApiDescriptionError(
      file,
      "",
      `it is not valid ${extname(file).toLowerCase() === ".json" ? "JSON" : "YAML"} (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`,
    );
  }
}

/** The description in a text, checked; throws KeyApiDescriptionError naming the first wrong field. */
export function parseDescription(file: string, text: string): KeyApiDescription {
  const parsed = descriptionSchema().safeParse(parseText(file, text));
  if (!parsed.success) {
    const { field, problem } = firstIssue(parsed.error);
    throw new KeyApiDescriptionError(file, field, problem);
  }
  const [first] = semanticProblems(parsed.data);
  if (first) throw new KeyApiDescriptionError(file, first.field, first.problem);
  return parsed.data;
}

/** Loaded descriptions by absolute path, kept while the file is unchanged: `diff` and `check` run once per key. */
const cache = new Map<string, { readonly stamp: string; readonly description: KeyApiDescription }>();

/**
 * Reads and checks the description `connection.api` names; a relative path is read from the working
 * directory (the program's, for both providers). Re-read when the file changes.
 */
export function loadDescription(file: string, cwd: string = process.cwd()): LoadedDescription {
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  let stamp: string;
  try {
    const stat = statSync(path);
    stamp = `${stat.mtimeMs}|${stat.size}|${stat.ino}`;
  } catch {
    throw new KeyApiDescriptionError(file, "", `there is no such file (looked for ${path}); check connection.api (apikeys:api, APIKEYS_API)`);
  }
  const cached = cache.get(path);
  if (cached?.stamp === stamp) return { file, description: cached.description };
  const description = parseDescription(file, readFileSync(path, "utf8"));
  cache.set(path, { stamp, description });
  return { file, description };
}
