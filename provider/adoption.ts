import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { IssuedRemoteKey, KeyBackend, KeyChanges, RemoteKey } from "./backends/keyBackend";
import { connectionDescriptor, type KnownConnection } from "./connection/resolveConnection";
import { AdoptedKeyNotFoundError, PartialCreateError } from "./errors";
import { labelOf } from "./keyState/declaration";
import { changedKeyFields, computedFields } from "./keyState/diff";
import type { ApiKeyInputs, ApiKeyOutputs } from "./keyState/inputs";
import { issuedSecret, keyOutputs, NO_SECRET } from "./keyState/outputs";
import { changesFor } from "./keyState/spec";

/**
 * Bringing a key that already exists under the stack (`adoptKeyId`), and the step it shares with
 * `update`: the changes that bring a key to its declaration.
 */

/** What an adoption works with: the key API and the connection it was reached through. */
export interface AdoptionContext {
  readonly backend: KeyBackend;
  readonly connection: KnownConnection;
  readonly now: () => Date;
}

/**
 * The declared changes the backend can make in place to `current` (the key as the API reported it,
 * or as stored): the key fields that differ, except those the API computes, and changed labels.
 */
export function changesToDeclaration(backend: KeyBackend, connection: KnownConnection, current: Partial<ApiKeyOutputs>, declared: ApiKeyInputs): KeyChanges {
  // Only what the API takes is read here (a described API's from its file), never a credential.
  const computed = computedFields(declared, connectionDescriptor(connection, process.env).supportedInputs);
  const fields = changedKeyFields(current, declared, computed).filter((field) => backend.updatableFields.has(field));
  return changesFor(fields, declared, current);
}

/** Updates the fields the backend can change in place that differ from the declaration; the key as it is after. */
async function bringToDeclaration(
  { backend, connection }: AdoptionContext,
  keyId: string,
  current: RemoteKey,
  declared: ApiKeyInputs,
  label: string,
): Promise<RemoteKey> {
  const changes = changesToDeclaration(backend, connection, current, declared);
  return Object.keys(changes).length > 0 ? backend.update(keyId, changes, { label }) : current;
}

/** Takes over a key that already exists (made by hand or another tool): brings it to the declared state, keeps its id. */
export async function adopt(
  context: AdoptionContext,
  keyId: string,
  declared: ApiKeyInputs,
  serializedProvider?: string,
): Promise<pulumi.dynamic.CreateResult<ApiKeyOutputs>> {
  const { backend, connection } = context;
  const label = labelOf(declared, keyId);
  const existing = await backend.get(keyId, { label });
  if (!existing || existing.revokedReason) throw new AdoptedKeyNotFoundError(keyId, connection.organizationId);
  const current = await bringToDeclaration(context, keyId, existing, declared, label);
  const adopted = keyOutputs({
    declared,
    connection,
    keyId,
    remote: current,
    secret: NO_SECRET,
    hint: current.hint,
    createdAt: current.createdAt,
    rotatedAt: current.createdAt,
  });
  if (declared.rotation?.rollOnAdopt !== true) return { id: keyId, outs: adopted };
  // Someone outside the stack knows the current secret: issue one only the stack holds; the old one
  // works for the grace period. If the roll fails the adoption is still recorded, and the next `up` rolls.
  let rolled: IssuedRemoteKey;
  try {
    rolled = await backend.roll(keyId, { label, gracePeriodSeconds: declared.rotation.gracePeriodSeconds ?? 0, idempotencyKey: `roll-${randomUUID()}` });
  } catch (error) {
    throw new PartialCreateError(keyId, { ...adopted, ...(serializedProvider === undefined ? {} : { __provider: serializedProvider }) }, error);
  }
  return {
    id: keyId,
    outs: keyOutputs({
      declared,
      connection,
      keyId,
      remote: rolled.key,
      secret: issuedSecret(rolled),
      hint: rolled.key.hint,
      createdAt: current.createdAt,
      rotatedAt: context.now().toISOString(),
    }),
  };
}
