import type { IssuedKeyAnswer } from "../../../shared/wire/key";
import { KeyApiClient } from "../../http/keyApiClient";
import type { IssuedRemoteKey, KeyBackend, KeyChanges, KeyField, KeySpec, RemoteKey } from "../keyBackend";

/** The JSON the reference server answers for a key: its wire shape, shared with the server. */
type ServerKey = IssuedKeyAnswer;

function toRemoteKey(k: ServerKey): RemoteKey {
  return {
    id: k.id,
    displayName: k.displayName,
    description: k.description,
    environment: k.environment,
    enabled: k.enabled,
    privileges: k.privileges,
    ...(k.expiresAt ? { expiresAt: k.expiresAt } : {}),
    ...(k.lifetime ? { lifetime: k.lifetime } : {}),
    ...(k.metadata && Object.keys(k.metadata).length > 0 ? { metadata: k.metadata } : {}),
    hint: k.hint,
    createdAt: k.createdAt,
    // The server records each verification (at most once a minute per key); null until the first.
    ...(k.lastUsedAt ? { lastUsedAt: k.lastUsedAt } : {}),
  };
}

/** A create or roll answer; a replayed one carries no secret. */
function toIssuedKey(k: ServerKey): IssuedRemoteKey {
  return { key: toRemoteKey(k), ...(k.secret ? { secret: k.secret } : {}) };
}

/** The project's own key API (`server/`), and any service that implements its OpenAPI document. */
export class ReferenceBackend implements KeyBackend {
  readonly name = "reference";
  /** Everything but the environment (it is part of the secret's prefix). */
  static readonly UPDATABLE_FIELDS: ReadonlySet<KeyField> = new Set<KeyField>(["displayName", "description", "enabled", "privileges", "expiresAt"]);
  readonly updatableFields = ReferenceBackend.UPDATABLE_FIELDS;
  private readonly keysPath: string;

  constructor(
    private readonly client: KeyApiClient,
    organizationId: string,
  ) {
    this.keysPath = `/v1/organizations/${encodeURIComponent(organizationId)}/keys`;
  }

  async create(spec: KeySpec, options: { idempotencyKey: string; label: string }): Promise<IssuedRemoteKey> {
    const body = {
      displayName: spec.displayName,
      description: spec.description,
      environment: spec.environment,
      enabled: spec.enabled,
      privileges: spec.privileges,
      ...(spec.expiresAt ? { expiresAt: spec.expiresAt } : {}),
      ...(spec.lifetime ? { lifetime: spec.lifetime } : {}),
      ...(spec.metadata ? { metadata: spec.metadata } : {}),
    };
    const response = await this.client.request<ServerKey>(
      { operation: "create", keyLabel: options.label },
      { method: "POST", url: this.keysPath, data: body, headers: { "Idempotency-Key": options.idempotencyKey } },
    );
    return toIssuedKey(response.data);
  }

  async get(id: string, options: { label: string }): Promise<RemoteKey | undefined> {
    const response = await this.client.request<ServerKey>(
      { operation: "read", keyLabel: options.label },
      // Revoked keys too: one the server revoked as leaked is replaced, and the stack says why.
      { method: "GET", url: `${this.keysPath}/${encodeURIComponent(id)}`, params: { includeRevoked: "true" } },
      { notFoundOk: true },
    );
    if (!response) return undefined;
    const key = response.data;
    if (key.status !== "revoked") return toRemoteKey(key);
    return key.revokedReason === "leaked" ? { ...toRemoteKey(key), revokedReason: "leaked" } : undefined;
  }

  async update(id: string, changes: KeyChanges, options: { label: string }): Promise<RemoteKey> {
    const body: Record<string, unknown> = { ...changes };
    if ("expiresAt" in changes) body.expiresAt = changes.expiresAt ?? null;
    const response = await this.client.request<ServerKey>(
      { operation: "update", keyLabel: options.label },
      { method: "PATCH", url: `${this.keysPath}/${encodeURIComponent(id)}`, data: body },
    );
    return toRemoteKey(response.data);
  }

  async delete(id: string, options: { label: string; gracePeriodSeconds: number }): Promise<void> {
    await this.client.request(
      { operation: "delete", keyLabel: options.label },
      {
        method: "DELETE",
        url: `${this.keysPath}/${encodeURIComponent(id)}`,
        params: options.gracePeriodSeconds > 0 ? { gracePeriodSeconds: options.gracePeriodSeconds } : undefined,
      },
      { notFoundOk: true },
    );
  }

  async roll(id: string, options: { label: string; gracePeriodSeconds: number; idempotencyKey: string }): Promise<IssuedRemoteKey> {
    const response = await this.client.request<ServerKey>(
      { operation: "roll", keyLabel: options.label },
      {
        method: "POST",
        url: `${this.keysPath}/${encodeURIComponent(id)}/roll`,
        data: { gracePeriodSeconds: options.gracePeriodSeconds },
        headers: { "Idempotency-Key": options.idempotencyKey },
      },
    );
    return toIssuedKey(response.data);
  }
}
