import { Hono, type Context, type MiddlewareHandler } from "hono";
import type { z } from "zod";
import type { AppEnv } from "./appEnv";
import { parseJsonBody, parseWith, requireWellFormedId } from "./validation";

/** How a route authenticates: an admin token, the API key being verified, or not at all. */
export type RouteSecurity = "adminToken" | "apiKey" | "signature" | "none";

/** A schema that the OpenAPI document lists once under `components.schemas` and refers to by name. */
export interface NamedSchema {
  readonly name: string;
  readonly schema: z.ZodType;
}

export function named(name: string, schema: z.ZodType): NamedSchema {
  return { name, schema };
}

/** One documented answer of a route. */
export interface RouteAnswer {
  readonly description: string;
  readonly body?: z.ZodType | NamedSchema;
}

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A route's contract: its method and path, what it takes, what it answers. The handler gets the parsed input. */
export interface RouteSpec<Query extends z.ZodType | undefined = z.ZodType | undefined, Body extends z.ZodType | undefined = z.ZodType | undefined> {
  readonly method: "get" | "post" | "patch" | "delete";
  /** Hono path relative to where the feature is mounted, e.g. `/:keyId/roll`; `/` for the mount point. */
  readonly path: string;
  readonly summary: string;
  /** Default `adminToken`: enforced for the route by the feature's authentication, and documented. */
  readonly security?: RouteSecurity;
  /** Path ids checked for their shape (a malformed one is a 404) before the input is read: `{ keyId: "key" }`. */
  readonly pathIds?: Readonly<Record<string, string>>;
  /** Query parameters, parsed and validated before the handler runs. */
  readonly query?: Query;
  /** The JSON body, parsed and validated before the handler runs; `required: false` accepts an empty body. */
  readonly body?: {
    readonly schema: Body;
    readonly name: string;
    readonly required: boolean;
    /** Documented only: the handler reads the raw body itself (a signature is checked over its bytes first). */
    readonly readByHandler?: boolean;
  };
  /** Request headers the route reads, besides authentication. */
  readonly headers?: readonly { readonly name: string; readonly description: string; readonly maxLength?: number; readonly pattern?: string }[];
  /** Success and route-specific answers by status; the shared error answers are added for every route. */
  readonly answers: Readonly<Record<number, RouteAnswer>>;
}

/** What a handler receives besides the context: its validated input. */
export interface RouteInput<Query extends z.ZodType | undefined, Body extends z.ZodType | undefined> {
  readonly query: Infer<Query>;
  readonly body: Infer<Body>;
}

/** A route as mounted: its full path in OpenAPI form (`/v1/organizations/{orgId}/keys`). */
export interface MountedRoute extends RouteSpec {
  readonly fullPath: string;
}

/**
 * One feature's routes (keys, tokens, audit...): each declared with its schemas beside its
 * handler. The same declarations register the Hono routes and make the OpenAPI document, so a
 * route cannot exist undocumented or be documented without existing.
 */
export class FeatureRoutes {
  readonly app = new Hono<AppEnv>();
  private readonly specs: RouteSpec[] = [];

  /**
   * @param guard who may call the feature's admin routes: `authenticate` sets the caller, then
   * `authorize` (if any) decides for this feature, both before the request's input is read.
   */
  constructor(
    private readonly guard: { readonly authenticate?: MiddlewareHandler<AppEnv>; readonly authorize?: (c: Context<AppEnv>) => Promise<void> | void } = {},
  ) {}

  add<Query extends z.ZodType | undefined = undefined, Body extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<Query, Body>,
    handler: (c: Context<AppEnv>, input: RouteInput<Query, Body>) => Response | Promise<Response>,
  ): this {
    const security = spec.security ?? "adminToken";
    const { authenticate, authorize } = this.guard;
    const querySchema = spec.query;
    const bodySchema = spec.body && !spec.body.readByHandler ? spec.body.schema : undefined;
    const optionalBody = !spec.body?.required;
    const run = async (c: Context<AppEnv>) => {
      if (security === "adminToken" && authorize) await authorize(c);
      for (const [param, kind] of Object.entries(spec.pathIds ?? {})) requireWellFormedId(kind, c.req.param(param) ?? "");
      // Casts: TypeScript does not resolve the conditional type `Infer<Query>` by testing the value of
      // the generic `Query`; a present schema's output (or undefined without one) is `Infer<Query>` by definition.
      const query = (querySchema ? parseWith(querySchema, c.req.query()) : undefined) as Infer<Query>;
      const body = (bodySchema ? await parseJsonBody(c, bodySchema, { optional: optionalBody }) : undefined) as Infer<Body>;
      return handler(c, { query, body });
    };
    const method = spec.method.toUpperCase();
    if (security !== "adminToken") this.app.on(method, spec.path, run);
    else if (authenticate) this.app.on(method, spec.path, authenticate, run);
    else throw new Error(`${method} ${spec.path} needs an admin token but its feature has no authentication`);
    this.specs.push(spec);
    return this;
  }

  /** The routes with their paths under `prefix`, in OpenAPI's `{param}` form. */
  mountedAt(prefix: string): MountedRoute[] {
    return this.specs.map((spec) => ({ ...spec, fullPath: openApiPath(joinPath(prefix, spec.path)) }));
  }
}

function joinPath(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/$/, "")}${path === "/" ? "" : path}`;
  return joined === "" ? "/" : joined;
}

/** `/a/:id/b` as `/a/{id}/b`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/** Mounts each feature on the app and returns every route it now serves, for the OpenAPI document. */
export function mountFeatures(app: Hono<AppEnv>, features: readonly (readonly [string, FeatureRoutes])[]): MountedRoute[] {
  return features.flatMap(([prefix, feature]) => {
    app.route(prefix, feature.app);
    return feature.mountedAt(prefix);
  });
}
