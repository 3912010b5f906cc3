import { z } from "zod";

/**
 * One privilege in Coveo's shape: `owner` (the service, e.g. SEARCH_API), `targetDomain` (what it
 * acts on, e.g. EXECUTE_QUERY), `type` (ENABLE, VIEW, EDIT, CREATE...), and optional `targetIds`
 * ("*" for every target). Used by both the server and the provider so they agree on what is valid.
 *
 * Schemas are built by functions rather than held at module scope: Pulumi's closure serializer
 * cannot serialize a captured zod schema object.
 */
export function privilegeSchema() {
  const identifier = z
    .string()
    .min(1, "must not be empty")
    .max(64, "must be at most 64 characters")
    .regex(/^[A-Z][A-Z0-9_]*$/, "must be UPPER_SNAKE_CASE, for example SEARCH_API");
  return z
    .object({
      owner: identifier.meta({ description: "The service that grants the privilege, e.g. SEARCH_API." }),
      targetDomain: identifier.meta({ description: "What the privilege acts on, e.g. EXECUTE_QUERY." }),
      type: identifier.meta({ description: "The level of access, e.g. ENABLE, VIEW, EDIT." }),
      targetIds: z
        .array(z.string().min(1, "must not be empty").max(128, "must be at most 128 characters"))
        .max(100, "must hold at most 100 ids")
        .optional()
        .meta({ description: 'Specific targets, or ["*"] for all. Omitted: the domain as a whole.' }),
    })
    .strict();
}

export type Privilege = z.infer<ReturnType<typeof privilegeSchema>>;

/** A stable identity for a privilege: order of targetIds does not matter. */
export function privilegeKey(p: Privilege): string {
  const targets = p.targetIds && p.targetIds.length > 0 ? [...new Set(p.targetIds)].sort().join(",") : "";
  return `${p.owner}/${p.targetDomain}/${p.type}${targets ? `[${targets}]` : ""}`;
}

/** Sorted, de-duplicated privileges with sorted targetIds: the one form we store and compare. */
export function normalizePrivileges(privileges: readonly Privilege[]): Privilege[] {
  const byKey = new Map<string, Privilege>();
  for (const p of privileges) {
    const targetIds = p.targetIds && p.targetIds.length > 0 ? [...new Set(p.targetIds)].sort() : undefined;
    const normalized: Privilege = { owner: p.owner, targetDomain: p.targetDomain, type: p.type, ...(targetIds ? { targetIds } : {}) };
    byKey.set(privilegeKey(normalized), normalized);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}
