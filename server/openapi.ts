import { z } from "zod";
import type { MountedRoute, NamedSchema, RouteSecurity } from "./http/featureRoutes";
import { ID_PATTERN } from "./http/validation";
import { DEFAULT_MAX_BODY_BYTES } from "./settings";

/** The error body every failure answers with. */
function errorResponseSchema() {
  return z.object({
    error: z.object({
      code: z.string(),
      message: z.string().meta({ description: "What went wrong and what to do; never a secret." }),
      field: z.string().optional().meta({ description: "The request field that was refused." }),
      reason: z.string().optional(),
      requestId: z.string(),
    }),
  });
}

/** The errors a route can answer besides its own, by how it authenticates. */
const SHARED_ERRORS: Record<RouteSecurity, Record<number, string>> = {
  adminToken: {
    400: "The request was refused; `error.field` names the field",
    401: "No valid admin token",
    403: "The token may not do this (read-only)",
    404: "No such organization, key or token",
    429: "Too many requests; see Retry-After",
  },
  apiKey: { 429: "Too many refused attempts from this address or at this key prefix; see Retry-After" },
  signature: {
    400: "Not an alert: `error.field` names what is wrong",
    401: "The signature does not verify",
    429: "Too many unsigned deliveries from this address",
  },
  none: {},
};

const BODY_TOO_LARGE = `The body is larger than the server's limit (maxBodyBytes, ${DEFAULT_MAX_BODY_BYTES / 1024} KiB unless set); nothing was read or changed`;

const IDEMPOTENCY_KEY_REUSED = "Idempotency-Key reused for a different request";

function isNamed(schema: z.ZodType | NamedSchema): schema is NamedSchema {
  return "name" in schema && "schema" in schema && !(schema instanceof z.ZodType);
}

/**
 * OpenAPI 3.1 generated from the mounted routes' own declarations (the schemas that validate each
 * request), so a route cannot exist undocumented or be documented without existing.
 */
export function openApiDocument(routes: readonly MountedRoute[]): Record<string, unknown> {
  const components: Record<string, unknown> = { ErrorResponse: jsonSchema(errorResponseSchema(), "output") };
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const schemaOf = (schema: z.ZodType | NamedSchema, io: "input" | "output") => {
    if (!isNamed(schema)) return jsonSchema(schema, io);
    components[schema.name] ??= jsonSchema(schema.schema, io);
    return ref(schema.name);
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const security = route.security ?? "adminToken";
    const bodySchema = route.body?.schema;
    const parameters = [
      // Every path parameter is one of our ids; any other shape is answered 404 before it is looked up.
      ...pathParameters(route.fullPath).map((name) => ({
        name,
        in: "path",
        required: true,
        schema: { type: "string", pattern: ID_PATTERN.source },
      })),
      ...queryParameters(route),
      ...(route.headers ?? []).map((h) => ({
        name: h.name,
        in: "header",
        required: false,
        description: h.description,
        schema: { type: "string", ...(h.maxLength ? { maxLength: h.maxLength } : {}), ...(h.pattern ? { pattern: h.pattern } : {}) },
      })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, description] of Object.entries(SHARED_ERRORS[security]))
      responses[status] = { description, content: { "application/json": { schema: ref("ErrorResponse") } } };
    // Every body is read through the size limit (app.ts): over it, 413 before the handler runs.
    if (route.body) responses[413] = { description: BODY_TOO_LARGE, content: { "application/json": { schema: ref("ErrorResponse") } } };
    // A route that takes an Idempotency-Key answers 409 to the same key with a different request
    // (found by Schemathesis: roll answered an undocumented 409).
    if (route.headers?.some((h) => h.name.toLowerCase() === "idempotency-key"))
      responses[409] = { description: IDEMPOTENCY_KEY_REUSED, content: { "application/json": { schema: ref("ErrorResponse") } } };
    for (const [status, answer] of Object.entries(route.answers)) {
      const body = answer.body ? schemaOf(answer.body, "output") : Number(status) >= 400 ? ref("ErrorResponse") : undefined;
      const links = Number(status) < 300 && answer.body ? linksFrom(route, routes) : {};
      responses[status] = {
        description: answer.description,
        ...(body ? { content: { "application/json": { schema: body } } } : {}),
        ...(Object.keys(links).length > 0 ? { links } : {}),
      };
    }
    (paths[route.fullPath] ??= {})[route.method] = {
      summary: route.summary,
      ...(security === "adminToken" ? {} : { security: security === "apiKey" ? [{ apiKey: [] }] : security === "signature" ? [{ alertSignature: [] }] : [] }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body && bodySchema
        ? {
            requestBody: {
              required: route.body.required,
              content: { "application/json": { schema: schemaOf(named(route.body.name, bodySchema), "input") } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "pulumi-apikeys reference key API", version: "1" },
    components: {
      securitySchemes: {
        adminToken: { type: "http", scheme: "bearer", description: "Root or organization admin token" },
        apiKey: { type: "apiKey", in: "header", name: "Authorization", description: "Api-Key <key> (or Bearer <key>)" },
        alertSignature: {
          type: "apiKey",
          in: "header",
          name: "Github-Public-Key-Signature",
          description: "ECDSA P-256 signature of the raw body by a key configured in APIKEYS_LEAK_ALERT_KEYS",
        },
      },
      schemas: components,
    },
    security: [{ adminToken: [] }],
    paths,
  };
}

/** The path parameters of an OpenAPI path, in order: `/a/{x}/b/{y}` gives x, y. */
function pathParameters(fullPath: string): string[] {
  return [...fullPath.matchAll(/\{([^}]+)\}/g)].map(([, name]) => name);
}

/**
 * OpenAPI `links` from a create to the operations on what it created: a POST whose answer has a
 * body links to every route under `<its path>/{id}` (get, update, roll, delete a key; revoke a
 * token), the new id taken from the answer's `id` and the other path parameters from the request.
 * Clients and tools such as Schemathesis's stateful phase follow them to reach created resources.
 */
function linksFrom(source: MountedRoute, routes: readonly MountedRoute[]): Record<string, unknown> {
  if (source.method !== "post") return {};
  const known = pathParameters(source.fullPath);
  const links: Record<string, unknown> = {};
  for (const target of routes) {
    if (!target.fullPath.startsWith(`${source.fullPath}/{`)) continue;
    const created = pathParameters(target.fullPath).filter((name) => !known.includes(name));
    if (created.length !== 1) continue;
    const rest = target.fullPath
      .slice(source.fullPath.length)
      .replace(/\{[^}]+\}/g, "")
      .replace(/[^A-Za-z0-9]+/g, " ")
      .trim();
    const name = `${target.method}${rest ? `_${rest.replace(/ /g, "_")}` : ""}`;
    const parameters: [string, string][] = [...known.map((p): [string, string] => [p, `$request.path.${p}`]), [created[0], "$response.body#/id"]];
    links[name] = {
      operationRef: `#/paths/${target.fullPath.replace(/~/g, "~0").replace(/\//g, "~1")}/${target.method}`,
      description: `${target.summary}, for the ${created[0]} this answer names`,
      parameters: Object.fromEntries(parameters),
    };
  }
  return links;
}

function named(name: string, schema: z.ZodType): NamedSchema {
  return { name, schema };
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): z.core.JSONSchema.BaseSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" });
  return rest;
}

/** A query schema's fields as OpenAPI query parameters. */
function queryParameters(route: MountedRoute): Record<string, unknown>[] {
  if (!route.query) return [];
  const shape = jsonSchema(route.query, "input");
  return Object.entries(shape.properties ?? {}).map(([name, schema]) => ({ name, in: "query", required: shape.required?.includes(name) ?? false, schema }));
}
