import { z } from "zod";

/** The ApiKey inputs only described APIs have. */
export function httpInputFields() {
  return {
    /**
     * What the key may do, as the API spells it (JupyterHub's `read:users`, a Strapi permission): sent
     * where the description's bodies say `{scopes}`, compared as a set.
     */
    scopes: z.array(z.string().min(1, "must not be empty").max(500, "must be at most 500 characters")).max(200, "must hold at most 200 scopes").optional(),
  };
}
export type HttpInputFields = ReturnType<typeof httpInputFields>;
