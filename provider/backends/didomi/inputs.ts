import { z } from "zod";

/** The ApiKey inputs only Didomi has. */
export function didomiInputFields() {
  return {
    /** Didomi's `is_internal`. */
    isInternal: z.boolean({ error: "must be true or false" }).optional(),
  };
}
export type DidomiInputFields = ReturnType<typeof didomiInputFields>;
