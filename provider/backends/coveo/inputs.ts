import { isIP } from "node:net";
import { z } from "zod";
import { keysOf } from "../../records";

/** Coveo's platform hosts by region (https://docs.coveo.com/en/2976). */
export const COVEO_HOSTS = {
  us: "https://platform.cloud.coveo.com",
  eu: "https://platform-eu.cloud.coveo.com",
  au: "https://platform-au.cloud.coveo.com",
  ca: "https://platform-ca.cloud.coveo.com",
  hipaa: "https://platformhipaa.cloud.coveo.com",
} as const;

export type CoveoRegion = keyof typeof COVEO_HOSTS;
export const COVEO_REGIONS: CoveoRegion[] = keysOf(COVEO_HOSTS);

/** Whether a region (from the resource, stack config or the environment) is one Coveo has. */
export function isCoveoRegion(region: string): region is CoveoRegion {
  return Object.hasOwn(COVEO_HOSTS, region);
}

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

/** The ApiKey inputs only Coveo has. Built in a function: Pulumi's closure serializer cannot carry a zod schema. */
export function coveoInputFields() {
  return {
    /** IP addresses or CIDR ranges that may use the key (`allowedIps`). */
    allowedIps: z.array(ipOrCidrSchema()).max(100, "must hold at most 100 entries").optional(),
    /** IP addresses or CIDR ranges refused even when allowed (`deniedIps`). */
    deniedIps: z.array(ipOrCidrSchema()).max(100, "must hold at most 100 entries").optional(),
    /** The API key template the key is made from (`apiKeyTemplateId`). */
    templateId: z.string().min(1, "must not be empty").max(100, "must be at most 100 characters").optional(),
    /** `additionalConfiguration` (commerce catalog, search hub...). */
    additionalConfiguration: z.record(z.string(), z.unknown()).optional(),
  };
}
export type CoveoInputFields = ReturnType<typeof coveoInputFields>;
