import { z } from "zod";
import { privilegeSchema } from "../../shared/privilege";

/** Who a verified key is: what a service needs to authorize the request. */
export function verifiedKeySchema() {
  return z.object({
    keyId: z.string(),
    organizationId: z.string(),
    displayName: z.string(),
    environment: z.enum(["live", "test"]),
    privileges: z.array(privilegeSchema()),
    expiresAt: z.string().nullable(),
  });
}
