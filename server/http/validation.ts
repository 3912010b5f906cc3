import type { Context } from "hono";
import type { z } from "zod";
import { ApiError } from "./apiError";

/** Turns the first zod issue into a 400 that names the field and says what would be valid. */
export function validationError(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length > 0 ? `${issue.path.join(".")}.` : "";
    return ApiError.validation(`${where}${issue.keys[0]}`, "unknown field; remove it (see /openapi.json for the accepted fields)");
  }
  const field = issue.path.length > 0 ? issue.path.join(".") : "body";
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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "BAD_REQUEST", "request body is not valid JSON; send a JSON object with Content-Type: application/json");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiError(400, "BAD_REQUEST", "request body must be a JSON object");
  }
  const reserved = findProtoKey(value, []);
  if (reserved) throw ApiError.validation(reserved, '"__proto__" is a reserved name and would be silently lost; choose another name');
  return parseWith(schema, value);
}

/**
 * JSON.parse keeps `"__proto__"` as an own key, but any plain object it is copied into (zod's
 * record parsing included) drops it, so the request would succeed without what it asked for.
 */
function findProtoKey(value: unknown, path: string[]): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  for (const name of Object.keys(value)) {
    if (name === "__proto__") return [...path, name].join(".");
    const found = findProtoKey((value as Record<string, unknown>)[name], [...path, name]);
    if (found) return found;
  }
  return undefined;
}

const ID_PATTERN = /^[a-z]{2,4}_[0-9a-z]{10}[0-9A-Za-z]{10}$/;

/** Ids are validated before any query so a malformed one is a clear 404, never a database error. */
export function requireWellFormedId(kind: string, id: string): string {
  if (!ID_PATTERN.test(id)) throw ApiError.notFound(`${kind} ${id.slice(0, 40)}`);
  return id;
}
