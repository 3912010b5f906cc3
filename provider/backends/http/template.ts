import { isRecord } from "../../records";

/**
 * Path and body templates, and JSON pointers into answers: the small language a key API description
 * is written in (see description.ts). No code from the description ever runs: a template only names
 * values, and a pointer only walks an answer.
 */

/** A value a placeholder stands for; undefined when it has none (the property is then left out). */
export type TemplateValue = string | number | boolean | null | readonly string[] | Readonly<Record<string, string>> | undefined;
export type TemplateValues = Readonly<Record<string, TemplateValue>>;

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The placeholder names a string holds, in order. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => match[1]);
}

/** Every placeholder name in a body template (strings anywhere in it, property names excluded). */
export function placeholdersOf(template: unknown): string[] {
  if (typeof template === "string") return placeholdersIn(template);
  if (Array.isArray(template)) return template.flatMap(placeholdersOf);
  if (isRecord(template)) return Object.values(template).flatMap(placeholdersOf);
  return [];
}

/** A path placeholder without a value: a description problem that loading reports first, so never seen by a user. */
export class UnfilledPlaceholderError extends Error {
  constructor(readonly placeholder: string) {
    super(`{${placeholder}} has no value`);
    this.name = "UnfilledPlaceholderError";
  }
}

/** A value written into text: a list or object as its JSON. */
function textOf(value: Exclude<TemplateValue, undefined>): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function fillString(text: string, values: TemplateValues): TemplateValue {
  const whole = WHOLE.exec(text);
  if (whole) return values[whole[1]];
  let unfilled = false;
  const filled = text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      unfilled = true;
      return "";
    }
    return textOf(value);
  });
  return unfilled ? undefined : filled;
}

/**
 * A body template with its placeholders filled in. A string that is exactly one placeholder takes
 * the value's type; inside other text the value is written in. A property (or list element) whose
 * value is undefined is left out: an unset lifetime sends no `expires_in` at all.
 */
export function fillBody(template: unknown, values: TemplateValues): unknown {
  if (typeof template === "string") return fillString(template, values);
  if (Array.isArray(template)) return template.map((element) => fillBody(element, values)).filter((element) => element !== undefined);
  if (isRecord(template)) {
    const entries = Object.entries(template).map(([name, value]) => [name, fillBody(value, values)] as const);
    return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
  }
  return template;
}

/** A path template with each placeholder's value URL-encoded into it. */
export function fillPath(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    if (value === undefined || value === null) throw new UnfilledPlaceholderError(name);
    return encodeURIComponent(textOf(value));
  });
}

/** What a JSON pointer finds in an answer: `found: false` when nothing is there (not even null). */
export type PointerMatch = { readonly found: true; readonly value: unknown } | { readonly found: false };

/** Resolves an RFC 6901 JSON pointer ("" is the whole document; `~1` is "/", `~0` is "~"). */
export function resolvePointer(document: unknown, pointer: string): PointerMatch {
  if (pointer === "") return { found: true, value: document };
  let current: unknown = document;
  for (const raw of pointer.slice(1).split("/")) {
    const token = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token) || Number(token) >= current.length) return { found: false };
      current = current[Number(token)];
    } else if (isRecord(current) && Object.hasOwn(current, token)) {
      current = current[token];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}
