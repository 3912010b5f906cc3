import { z } from "zod";
import { NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";
import { SHARED_OPTIONAL_INPUTS } from "../backends/backendDescriptor";
import { apiKeyInputsSchema, connectionSchema } from "../keyState/inputs";
import { API_KEY_OUTPUTS, OUTPUT_TABLE, SECRET_OUTPUTS } from "../keyState/outputs";

/** The Pulumi package: `apikeys`, one resource `apikeys:index:ApiKey`. */
const PACKAGE_NAME = "apikeys";

type JsonSchema = {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  additionalProperties?: JsonSchema | boolean;
};
type PulumiProperty = Record<string, unknown>;

/** Nested objects become named types (`apikeys:index:Privilege`...), as Pulumi's SDK generators expect. */
const NAMED_TYPES: Record<string, string> = {
  privileges: "Privilege",
  rotation: "Rotation",
  connection: "Connection",
  pendingRevocations: "PendingRevocation",
  exposure: "Exposure",
  reasons: "ExposureReason",
};

/** Properties whose values Pulumi keeps secret wherever they appear: the secret outputs and the connection's token. */
const SECRET_PROPERTIES = new Set<string>([...SECRET_OUTPUTS, "token"]);

class SchemaBuilder {
  readonly types: Record<string, { type: "object"; properties: Record<string, PulumiProperty>; required?: string[]; description?: string }> = {};

  property(name: string, schema: JsonSchema): PulumiProperty {
    const common = { ...(schema.description ? { description: schema.description } : {}), ...(SECRET_PROPERTIES.has(name) ? { secret: true } : {}) };
    if (schema.type === "array") return { ...common, type: "array", items: this.property(name, schema.items ?? {}) };
    if (schema.type === "object" && schema.properties) {
      const typeName = NAMED_TYPES[name];
      if (!typeName) return { ...common, type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } };
      this.types[`${PACKAGE_NAME}:index:${typeName}`] ??= {
        type: "object",
        properties: this.properties(schema.properties),
        ...(schema.required?.length ? { required: schema.required } : {}),
      };
      return { ...common, $ref: `#/types/${PACKAGE_NAME}:index:${typeName}` };
    }
    if (schema.type === "object") {
      const values =
        typeof schema.additionalProperties === "object" && schema.additionalProperties.type === "string" ? { type: "string" } : { $ref: "pulumi.json#/Any" };
      return { ...common, type: "object", additionalProperties: values };
    }
    if (schema.type === "integer" || schema.type === "number" || schema.type === "boolean" || schema.type === "string") return { ...common, type: schema.type };
    return { ...common, $ref: "pulumi.json#/Any" };
  }

  properties(properties: Record<string, JsonSchema>): Record<string, PulumiProperty> {
    return Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, this.property(name, schema)]));
  }
}

function jsonSchema(schema: z.ZodType, io: "input" | "output" = "input"): JsonSchema {
  // A library type gap: zod's JSON Schema type also allows lists of types and of items, and boolean
  // schemas, which it never emits for our inputs (objects, lists, strings, numbers, booleans, enums).
  return z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
}

/** A row's schema type as the JSON Schema the builder reads (`optional` becomes the object's `required`). */
interface TableSchema {
  readonly type: string;
  readonly items?: TableSchema;
  readonly properties?: { readonly [name: string]: TableSchema & { readonly optional?: true } };
}

function fromTable(schema: TableSchema, description?: string): JsonSchema {
  const properties = schema.properties;
  return {
    type: schema.type,
    ...(description ? { description } : {}),
    ...(schema.items ? { items: fromTable(schema.items) } : {}),
    ...(properties
      ? {
          properties: Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, fromTable(property)])),
          required: Object.keys(properties).filter((name) => !properties[name].optional),
        }
      : {}),
  };
}

/** What a key's state holds besides its inputs: the output table (provider/keyState/outputs.ts). */
function outputProperties(): Record<string, JsonSchema> {
  return Object.fromEntries(API_KEY_OUTPUTS.map((name) => [name, fromTable(OUTPUT_TABLE[name].schema, OUTPUT_TABLE[name].description)]));
}

/**
 * The outputs always present: the table's that are not optional, and the inputs that have a default
 * (or are required) on every backend; `check` drops the default of an input a backend lacks (a Coveo
 * key has no `environment`, a Didomi key no `privileges`), so those are not required.
 */
function requiredOutputs(inputs: JsonSchema): string[] {
  const always = API_KEY_OUTPUTS.filter((name) => !("optional" in OUTPUT_TABLE[name]));
  const optionalSomewhere: readonly string[] = SHARED_OPTIONAL_INPUTS;
  return [...always, ...(inputs.required ?? []).filter((name) => !optionalSomewhere.includes(name))];
}

/**
 * What a release build (scripts/release/build.js) bakes into the plugin: where the engine downloads the
 * plugin from, and the Go SDK's public module path. esbuild's `define` replaces APIKEYS_RELEASE in the
 * bundled plugin; the repository's own build (tsc) has none, and its schema stays as it was.
 */
export interface ReleaseSettings {
  /** The schema's `pluginDownloadURL`: `https://…/v${VERSION}`, `${VERSION}` filled in by the engine. */
  readonly pluginDownloadURL: string;
  /** `language.go.importBasePath`, e.g. `github.com/<org>/pulumi-apikeys/sdk/go/apikeys`. */
  readonly goImportBasePath: string;
}
declare const APIKEYS_RELEASE: ReleaseSettings | undefined;

/** The settings baked in by a release build, or undefined in the repository's build. */
export function releaseSettings(): ReleaseSettings | undefined {
  return typeof APIKEYS_RELEASE === "undefined" ? undefined : APIKEYS_RELEASE;
}

/** The package schema, from the same zod schemas `check` validates with. */
export function packageSchema(version: string, release: ReleaseSettings | undefined = releaseSettings()): Record<string, unknown> {
  const builder = new SchemaBuilder();
  const inputs = jsonSchema(apiKeyInputsSchema());
  const inputProperties = builder.properties(inputs.properties ?? {});
  const properties = { ...inputProperties, ...builder.properties(outputProperties()) };
  const config = builder.properties(jsonSchema(connectionSchema()).properties ?? {});
  return {
    name: PACKAGE_NAME,
    version,
    displayName: "API keys",
    description: "API keys as infrastructure code: create, rotate with a grace period, review and revoke keys on the reference key server, Coveo or Didomi.",
    keywords: ["api-keys", "secrets", "rotation", "category/utility"],
    license: "Apache-2.0",
    // The engine installs the plugin from here when a program's SDK registers a key (pulumi-plugin.json's `server`).
    ...(release ? { pluginDownloadURL: release.pluginDownloadURL } : {}),
    config: { variables: config },
    provider: { description: "The key API a stack's keys live on.", inputProperties: config },
    resources: {
      [NATIVE_API_KEY_TYPE]: {
        description:
          "An API key: its secret is a Pulumi secret; privileges update in place where the API can; rotation creates the new key before the old one ends.",
        inputProperties,
        requiredInputs: [],
        properties,
        required: requiredOutputs(jsonSchema(apiKeyInputsSchema(), "output")),
      },
    },
    types: builder.types,
    language: release
      ? {
          // A released SDK names the plugin's version (the engine installs exactly that one) and builds as a wheel.
          nodejs: { packageName: "@pulumi-apikeys/native", respectSchemaVersion: true },
          python: { packageName: "pulumi_apikeys", respectSchemaVersion: true, pyproject: { enabled: true } },
          go: { importBasePath: release.goImportBasePath, respectSchemaVersion: true },
        }
      : {
          nodejs: { packageName: "@pulumi-apikeys/native" },
          python: { packageName: "pulumi_apikeys" },
          // A local module path: a Go stack vendors the generated SDK (`replace pulumi-apikeys/sdk/go => ./sdk/go`).
          go: { importBasePath: "pulumi-apikeys/sdk/go/apikeys" },
        },
  };
}
