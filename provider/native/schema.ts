import { z } from "zod";
import { NATIVE_API_KEY_TYPE } from "../../shared/resourceTypes";
import { apiKeyInputsSchema, connectionSchema } from "../keyState/inputs";
import { SECRET_OUTPUTS } from "../keyState/outputs";

/** The Pulumi package: `apikeys`, one resource `apikeys:index:ApiKey`. */
export const PACKAGE_NAME = "apikeys";

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

function jsonSchema(schema: z.ZodType): JsonSchema {
  // A library type gap: zod's JSON Schema type also allows lists of types and of items, and boolean
  // schemas, which it never emits for our inputs (objects, lists, strings, numbers, booleans, enums).
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/** What a key's state holds besides its inputs (see ApiKeyOutputs). */
function outputProperties(): Record<string, JsonSchema> {
  return {
    keyId: { type: "string", description: "The key's id on the key API (after an in-place rotation it differs from the resource id)." },
    secret: { type: "string", description: "The key's secret. Absent for an adopted or imported key until it is rolled." },
    secretAvailable: { type: "boolean", description: "False when the stack does not know the secret (an adopted or imported key)." },
    secretPending: {
      type: "boolean",
      description: "True while a key whose create could not finish waits for its secret: the next `pulumi up` issues it.",
    },
    hint: { type: "string", description: "A non-secret prefix to recognise the key." },
    createdAt: { type: "string" },
    rotatedAt: { type: "string", description: "When the current secret was issued." },
    lastUsedAt: {
      type: "string",
      description: "When the key was last used, as the key API reported it at the last refresh; absent if never, or if the API does not say (Didomi).",
    },
    backend: { type: "string" },
    organizationId: { type: "string" },
    rotationSecret: { type: "string", description: "For a backend that rotates in place: the credential its rotate call needs." },
    revokedReason: { type: "string", description: "`leaked` once a refresh finds the key API revoked the key because its secret leaked." },
    exposure: {
      type: "object",
      properties: {
        severity: { type: "string" },
        deactivatesAt: { type: "string" },
        reasons: { type: "array", items: { type: "object", additionalProperties: { type: "string" } } },
      },
      description: "What the key API reported when it found the secret exposed.",
    },
    pendingRevocations: {
      type: "array",
      items: { type: "object", properties: { keyId: { type: "string" }, revokeAfter: { type: "string" } }, required: ["keyId", "revokeAfter"] },
      description: "Old keys a rotation keeps working until their grace period ends.",
    },
  };
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
        required: ["keyId", "secretAvailable", "hint", "createdAt", "rotatedAt", "backend", "organizationId", "displayName", "enabled"],
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
