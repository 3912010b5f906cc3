import { isIP } from "node:net";
import { z } from "zod";
import { privilegeSchema, privilegeKey } from "../shared/privilege";

/** Names of the key API backends the provider can talk to. */
export const BACKEND_NAMES = ["reference", "coveo", "didomi"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * The zod schemas are the single source of truth for the ApiKey's inputs; `ApiKeyInputs` and the
 * check failures derive from them. Built inside functions: a schema object captured at module scope
 * would not survive Pulumi's closure serializer.
 */
export function rotationSchema() {
  return z
    .object({
      trigger: z.string().max(200, "must be at most 200 characters").optional(),
      rotateAfterDays: z.number().int("must be a whole number of days").min(1, "must be at least 1 day").max(3650, "must be at most 3650 days").optional(),
      gracePeriodSeconds: z.number().int("must be a whole number of seconds").min(0, "must not be negative").max(2_592_000, "must be at most 30 days (2592000 seconds)").optional(),
    })
    .strict();
}

/** Coveo's platform hosts by region (https://docs.coveo.com/en/2976). */
export const COVEO_REGIONS = ["us", "eu", "au", "ca", "hipaa"] as const;

/** An IPv4 or IPv6 address, optionally with a CIDR prefix: the form Coveo's allowedIps/deniedIps take. */
function ipOrCidrSchema() {
  return z.string().refine((value) => {
    const [address, prefix, ...rest] = value.split("/");
    const version = isIP(address);
    if (version === 0 || rest.length > 0) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
  }, "must be an IP address or a CIDR range such as 192.168.0.0/16");
}

export function connectionSchema() {
  return z
    .object({
      endpoint: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://keys.example.com" }).optional(),
      token: z.string().min(1, "must not be empty").optional(),
      organizationId: z.string().min(1, "must not be empty").max(100).optional(),
      backend: z.enum(BACKEND_NAMES, { error: `must be one of: ${BACKEND_NAMES.join(", ")}` }).optional(),
      region: z.enum(COVEO_REGIONS, { error: `must be one of: ${COVEO_REGIONS.join(", ")} (Coveo's platform regions)` }).optional(),
    })
    .strict();
}

export function apiKeyInputsSchema() {
  return z
    .object({
      displayName: z.string().trim().min(1, "must not be empty; set a name or leave displayName out to use the resource name").max(125, "must be at most 125 characters"),
      description: z.string().max(1000, "must be at most 1000 characters").default(""),
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
      rotation: rotationSchema().optional(),
      connection: connectionSchema().optional(),
      adoptKeyId: z.string().min(1, "must not be empty").max(100).optional(),
      metadata: z.record(z.string(), z.string()).optional(),
      // Coveo only (see VENDOR_INPUTS in backends/backendInputs.ts).
      allowedIps: z.array(ipOrCidrSchema()).max(100, "must hold at most 100 entries").optional(),
      deniedIps: z.array(ipOrCidrSchema()).max(100, "must hold at most 100 entries").optional(),
      lifetime: z
        .string()
        .regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, "must be an ISO-8601 duration such as P90D or P1M")
        .optional(),
      templateId: z.string().min(1, "must not be empty").max(100, "must be at most 100 characters").optional(),
      additionalConfiguration: z.record(z.string(), z.unknown()).optional(),
      // Didomi only.
      isInternal: z.boolean({ error: "must be true or false" }).optional(),
    })
    .strict();
}

export type ApiKeyInputs = z.output<ReturnType<typeof apiKeyInputsSchema>>;
export type RotationInputs = z.output<ReturnType<typeof rotationSchema>>;
export type ConnectionInputs = z.output<ReturnType<typeof connectionSchema>>;

/** What the provider keeps in state for a key: the declared inputs as the API stored them, and what the API issued. */
export interface ApiKeyOutputs extends ApiKeyInputs {
  readonly keyId: string;
  /** The key's secret; a Pulumi secret in state. Absent when it cannot be known (an adopted key). */
  readonly secret?: string;
  readonly secretAvailable: boolean;
  readonly hint: string;
  readonly createdAt: string;
  /** When the current secret was issued: creation, or the last replacement. */
  readonly rotatedAt: string;
  readonly backend: BackendName;
  readonly organizationId: string;
  /** Coveo: what its rotate endpoint needs to issue the next key; a Pulumi secret in state. */
  readonly rotationSecret?: string;
}
