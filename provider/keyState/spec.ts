import type { KeyChanges, KeySpec, RemoteKey } from "../backends/keyBackend";
import type { ApiKeyInputs, KeyField } from "./inputs";
import { keyFieldNames } from "./inputs";

/**
 * The key a declaration asks for: its key fields and labels, taken from the checked inputs (which
 * hold every default: defaults live in the zod schema only). Unset fields are left out.
 */
export function specOf(inputs: ApiKeyInputs): KeySpec {
  const spec: Record<string, unknown> = {};
  for (const field of [...keyFieldNames(), "metadata" as const]) if (inputs[field] !== undefined && inputs[field] !== null) spec[field] = inputs[field];
  // Each value is the checked inputs' own, copied field by field (schema order): TypeScript cannot
  // follow a loop over a list of names to the picked type.
  return spec as KeySpec;
}

/**
 * The declared key fields as the API reports them, which is the source of truth after a write or a
 * refresh. A field the API does not report back (a lifetime becomes an expiry date) keeps its
 * declared value, and labels stay as declared (not every API stores them).
 */
export function reportedFields(remote: RemoteKey): Partial<KeySpec> {
  const {
    id: _id,
    hint: _hint,
    createdAt: _createdAt,
    metadata: _metadata,
    exposure: _exposure,
    revokedReason: _revoked,
    lastUsedAt: _lastUsedAt,
    ...fields
  } = remote;
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** The changes that bring a key to its declaration: the given fields (null clears one) and changed labels. */
export function changesFor(fields: readonly KeyField[], declared: ApiKeyInputs, current: { readonly metadata?: Readonly<Record<string, string>> }): KeyChanges {
  const spec = specOf(declared);
  const changes: Record<string, unknown> = {};
  for (const field of fields) changes[field] = spec[field] ?? null;
  if (declared.metadata && JSON.stringify(current.metadata ?? {}) !== JSON.stringify(declared.metadata)) changes.metadata = declared.metadata;
  return changes;
}
