import { z } from "zod";
import { isoDurationSchema } from "../../shared/isoDuration";
import { DESCRIPTION_MESSAGE, DESCRIPTION_PATTERN, LABEL_MESSAGE, LABEL_PATTERN } from "../../shared/controlCharacters";
import { MAX_GRACE_PERIOD_MESSAGE, MAX_GRACE_PERIOD_SECONDS } from "../../shared/limits";
import { privilegeKey, privilegeSchema } from "../../shared/privilege";
import { keysOf } from "../records";
import { BACKEND_NAMES, backendInputFields, knownRegions, type BackendName } from "../backends/registry";
import type { KeyExposure } from "./exposure";
import type { PendingRevocation } from "./pendingRevocations";

/**
 * The zod schemas are the single source of truth for the ApiKey's inputs: `ApiKeyInputs`, the key
 * fields, the defaults and the check failures derive from them. Built inside functions (from when
 * Pulumi's closure serializer captured the provider); a built schema may be kept at module scope, as
 * check.ts keeps one: the serialized provider now loads these modules by name (docs/DEVELOPMENT.md).
 */
function rotationSchema() {
  return z
    .object({
      trigger: z.string().max(200, "must be at most 200 characters").optional(),
      rotateAfterDays: z.number().int("must be a whole number of days").min(1, "must be at least 1 day").max(3650, "must be at most 3650 days").optional(),
      gracePeriodSeconds: z
        .number()
        .int("must be a whole number of seconds")
        .min(0, "must not be negative")
        .max(MAX_GRACE_PERIOD_SECONDS, MAX_GRACE_PERIOD_MESSAGE)
        .optional(),
      renewBeforeExpiry: isoDurationSchema().optional(),
      onExposure: z.boolean({ error: "must be true or false" }).optional(),
      rollOnAdopt: z.boolean({ error: "must be true or false" }).optional(),
    })
    .strict();
}

export function connectionSchema() {
  const regions = knownRegions();
  return z
    .object({
      endpoint: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://keys.example.com" }).optional(),
      token: z.string().min(1, "must not be empty").optional(),
      organizationId: z.string().min(1, "must not be empty").max(100).optional(),
      backend: z.enum(BACKEND_NAMES, { error: `must be one of: ${BACKEND_NAMES.join(", ")}` }).optional(),
      region: z.enum(regions, { error: `must be one of: ${regions.join(", ")} (the backend's regions)` }).optional(),
      /** The http backend's key API description: the path of a JSON or YAML file (docs/backends.md). */
      api: z.string().min(1, "must not be empty: the path of a key API description file (JSON or YAML)").max(4096).optional(),
    })
    .strict();
}

/** The fields every backend has; a backend that lacks one says so in its descriptor. */
function commonKeyFields() {
  return {
    displayName: z
      .string()
      .trim()
      .min(1, "must not be empty; set a name or leave displayName out to use the resource name")
      .max(125, "must be at most 125 characters"),
    // Reports print it into Markdown and terminals: lines yes, other controls no (the key server refuses the same).
    description: z.string().max(1000, "must be at most 1000 characters").regex(DESCRIPTION_PATTERN, DESCRIPTION_MESSAGE).default(""),
    environment: z.enum(["live", "test"], { error: 'must be "live" or "test"' }).default("test"),
    enabled: z.boolean({ error: "must be true or false" }).default(true),
    privileges: z
      .array(privilegeSchema())
      .max(100, "must hold at most 100 privileges")
      .default([])
      .superRefine((privileges, ctx) => {
        const seen = new Map<string, number>();
        privileges.forEach((p, index) => {
          const key = privilegeKey(p);
          const first = seen.get(key);
          if (first !== undefined) ctx.addIssue({ code: "custom", path: [index], message: `duplicates privileges[${first}] (${key}); remove one of them` });
          else seen.set(key, index);
        });
      }),
    expiresAt: z.iso
      .datetime({ offset: true, error: "must be an ISO-8601 date-time with a time zone, such as 2027-01-31T00:00:00Z" })
      .transform((value) => new Date(value).toISOString())
      .optional(),
    /** How long the key lives from each new secret (ISO-8601 duration); the API computes expiresAt from it. */
    lifetime: isoDurationSchema().optional(),
  };
}

/** Inputs that steer the provider rather than describe the key. */
function controlFields() {
  return {
    rotation: rotationSchema().optional(),
    connection: connectionSchema().optional(),
    adoptKeyId: z.string().min(1, "must not be empty").max(100).optional(),
    /** Labels stored with the key (ApiKey always adds the stack and resource name). */
    metadata: z
      .record(z.string(), z.string().regex(LABEL_PATTERN, LABEL_MESSAGE))
      // A name is checked here rather than by the record's key schema, whose failure zod words "Invalid key in record".
      .superRefine((labels, ctx) => {
        for (const name of Object.keys(labels))
          if (!LABEL_PATTERN.test(name)) ctx.addIssue({ code: "custom", path: [], message: `label name ${JSON.stringify(name)} ${LABEL_MESSAGE}` });
      })
      .optional(),
  };
}

export function apiKeyInputsSchema() {
  return z.object({ ...commonKeyFields(), ...backendInputFields(), ...controlFields() }).strict();
}

export type ApiKeyInputs = z.output<ReturnType<typeof apiKeyInputsSchema>>;
export type ConnectionInputs = z.output<ReturnType<typeof connectionSchema>>;
export type { BackendName };

/** The inputs that are a key's own fields (what a backend stores), in the order `diff` reports them. */
export type KeyField = Exclude<keyof ApiKeyInputs, keyof ReturnType<typeof controlFields>>;

/** Every key field, read off the schema. */
export function keyFieldNames(): readonly KeyField[] {
  // Read once: building the schemas to list their keys cost every diff and create a schema build.
  // Safe at module scope (a list of names; the serialized provider loads this module by name).
  return (keyFields ??= keysOf({ ...commonKeyFields(), ...backendInputFields() }));
}
let keyFields: KeyField[] | undefined;

/** What the provider keeps in state for a key: the declared inputs as the API stored them, and what the API issued. */
export interface ApiKeyOutputs extends ApiKeyInputs {
  readonly keyId: string;
  /** The key's secret; a Pulumi secret in state. Absent when it cannot be known (an adopted key). */
  readonly secret?: string;
  readonly secretAvailable: boolean;
  /**
   * The key was created but its secret never issued (the create's answer was lost and the roll that
   * replaces the unseen secret failed): the next `pulumi up` issues it. Absent once it has one.
   */
  readonly secretPending?: boolean;
  readonly hint: string;
  readonly createdAt: string;
  /** When the current secret was issued: creation, or the last replacement. */
  readonly rotatedAt: string;
  /**
   * When the key was last used, as the key API reported it at the last refresh (or write); absent
   * when it never was or the API does not say. Recorded only: never a change, never a replacement.
   */
  readonly lastUsedAt?: string;
  readonly backend: BackendName;
  readonly organizationId: string;
  /** For backends that rotate in place: what the API needs to issue the next key; a Pulumi secret in state. */
  readonly rotationSecret?: string;
  /** What the API reported when it found the secret exposed; absent otherwise. */
  readonly exposure?: KeyExposure;
  /** `leaked`: the key API revoked the key because its secret leaked; the next `up` replaces it. */
  readonly revokedReason?: "leaked";
  /** Old keys kept working after a rotation until their grace period ends (APIs that delete at once). */
  readonly pendingRevocations?: readonly PendingRevocation[];
}
