import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "./apiError";

/**
 * Turns the first zod issue into a 400 that names the field and says what would be valid. `at` is
 * where the validated value sits in the body (an alert entry's index), prefixed to the field.
 */
export function validationError(error: z.ZodError, at: readonly PropertyKey[] = []): ApiError {
  const issue = error.issues[0];
  const path = [...at, ...issue.path].map(String);
  if (issue.code === "unrecognized_keys") {
    const where = path.length > 0 ? `${path.join(".")}.` : "";
    return ApiError.validation(`${where}${issue.keys[0]}`, "unknown field; remove it (see /openapi.json for the accepted fields)");
  }
  const field = path.length > 0 ? path.join(".") : "body";
  return ApiError.validation(field, issue.message);
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S, options: { optional?: boolean } = {}): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.trim() === "" && options.optional) return parseWith(schema, {});
  const value = parseJsonText(text, "request body is not valid JSON; send a JSON object with Content-Type: application/json");
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiError(400, "BAD_REQUEST", "request body must be a JSON object");
  }
  const reserved = findProtoKey(value);
  if (reserved) throw ApiError.validation(reserved, '"__proto__" is a reserved name and would be silently lost; choose another name');
  return parseWith(schema, value);
}

/**
 * How deep a request body may nest objects and arrays. Our bodies need 4 (a key's privileges'
 * targetIds); the bound keeps every later walk over a body (ours, zod's, a log's) shallow, whatever
 * a client sends within the size limit.
 */
const MAX_JSON_DEPTH = 32;

/** A body nested past MAX_JSON_DEPTH: refused before JSON.parse builds it. */
export class JsonTooDeepError extends ApiError {
  constructor() {
    super(400, "BAD_REQUEST", `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays; send a flatter body`);
    this.name = "JsonTooDeepError";
  }
}

/**
 * JSON text to a value, refusing a body nested deeper than MAX_JSON_DEPTH first. `notJson` is the
 * message for text that does not parse (it says what the route expects).
 */
export function parseJsonText(text: string, notJson: string): unknown {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) throw new JsonTooDeepError();
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "BAD_REQUEST", notJson);
  }
}

/**
 * Whether JSON text opens more than `max` objects or arrays at once: one pass over the characters,
 * counting brackets outside strings. For valid JSON this is exactly its nesting; text that is not
 * JSON may be miscounted, but JSON.parse refuses it anyway, so either answer is a 400.
 */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // a backslash escapes the next character (\" is not the string's end)
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > max) return true;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return false;
}

/** A value met by the `__proto__` walk: its key and its parent, from which its path is made when needed. */
interface WalkNode {
  readonly value: unknown;
  readonly name: string;
  readonly parent: WalkNode | undefined;
}

/**
 * JSON.parse keeps `"__proto__"` as an own key, but any plain object it is copied into (zod's
 * record parsing included) drops it, so the request would succeed without what it asked for.
 * An explicit stack, not recursion, and each node points at its parent instead of carrying a copy
 * of its path: one step per value however the body nests, in the order the body lists them.
 */
function findProtoKey(root: object): string | undefined {
  const stack: WalkNode[] = [{ value: root, name: "", parent: undefined }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.parent && node.name === "__proto__") return pathOf(node);
    if (!isJsonContainer(node.value)) continue;
    const names = Object.keys(node.value);
    for (let i = names.length - 1; i >= 0; i--) stack.push({ value: node.value[names[i]], name: names[i], parent: node });
  }
  return undefined;
}

/** An object or array from JSON.parse: any non-null object, whose values are read by key. */
function isJsonContainer(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === "object";
}

function pathOf(node: WalkNode): string {
  const names: string[] = [];
  for (let at: WalkNode | undefined = node; at?.parent; at = at.parent) names.push(at.name);
  return names.reverse().join(".");
}

export const ID_PATTERN = /^[a-z]{2,4}_[0-9a-z]{10}[0-9A-Za-z]{10}$/;

/** Ids are validated before any query so a malformed one is a clear 404, never a database error. */
export function requireWellFormedId(kind: string, id: string): string {
  if (!ID_PATTERN.test(id)) throw ApiError.notFound(`${kind} ${id.slice(0, 40)}`);
  return id;
}
