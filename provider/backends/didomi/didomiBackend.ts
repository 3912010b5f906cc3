import type { KeyApiClient } from "../../http/keyApiClient";
import { KeyApiError } from "../../errors";
import { createWithoutOrphans } from "../lostCreate";
import type { IssuedRemoteKey, KeyBackend, KeyChanges, KeyField, KeySpec, RemoteKey } from "../keyBackend";
import { isoDateOf } from "../vendorDates";

/** A private API key as Didomi's Platform API returns it (`/keys`). */
interface DidomiKey {
  id: string;
  organization_id: string;
  name?: string;
  description?: string;
  is_internal?: boolean;
  enabled?: boolean;
  created_at?: string | number;
  secret?: string;
}

function toRemoteKey(k: DidomiKey): RemoteKey {
  return {
    id: k.id,
    displayName: k.name ?? "",
    description: k.description ?? "",
    enabled: k.enabled ?? true,
    // Didomi keys carry no privileges: they act with the organization's full API access.
    privileges: [],
    isInternal: k.is_internal ?? false,
    hint: `${k.id.slice(0, 8)}…`,
    createdAt: isoDateOf(k.created_at, new Date(0).toISOString()),
    // No lastUsedAt: Didomi's documented key fields (developers.didomi.io) have no last use, so the
    // descriptor says `reportsLastUse: false` and the credential report shows it as unknown.
  };
}

const PAGE = 100;

/**
 * Didomi's Platform API (`https://api.didomi.io/v1/keys`). Requests are paced per organization
 * (100 per 15 s by default) by the client this backend is given; the session token is renewed on 401.
 */
export class DidomiBackend implements KeyBackend {
  readonly name = "didomi";
  static readonly UPDATABLE_FIELDS: ReadonlySet<KeyField> = new Set<KeyField>(["displayName", "description", "enabled"]);
  readonly updatableFields = DidomiBackend.UPDATABLE_FIELDS;

  constructor(
    private readonly client: KeyApiClient,
    private readonly organizationId: string,
  ) {}

  private keyPath(id: string): string {
    return `/keys/${encodeURIComponent(id)}`;
  }

  async create(spec: KeySpec, options: { label: string }): Promise<IssuedRemoteKey> {
    const body = { organization_id: this.organizationId, name: spec.displayName, description: spec.description, is_internal: spec.isInternal ?? false };
    const response = await createWithoutOrphans({
      spec,
      attempts: 3,
      create: () =>
        this.client.request<DidomiKey>({ operation: "create", keyLabel: options.label }, { method: "POST", url: "/keys", data: body }, { onlyUnsent: true }),
      listKeys: async () => (await this.list(options.label)).map(toRemoteKey),
      deleteKey: (id) => this.delete(id, { label: options.label }),
    });
    let issued = response.data;
    // Didomi creates keys enabled; a key declared disabled is switched off right away.
    if (!spec.enabled) issued = { ...(await this.patch(issued.id, { enabled: false }, options.label)), secret: issued.secret };
    return { key: toRemoteKey(issued), ...(issued.secret ? { secret: issued.secret } : {}) };
  }

  /** Every key of the organization, a page of 100 at a time (`$limit` / `$skip`). */
  private async list(label: string): Promise<DidomiKey[]> {
    const keys: DidomiKey[] = [];
    for (let skip = 0; ; skip += PAGE) {
      const response = await this.client.request<{ data?: DidomiKey[]; total?: number } | DidomiKey[]>(
        { operation: "read", keyLabel: label },
        { method: "GET", url: "/keys", params: { organization_id: this.organizationId, $limit: PAGE, $skip: skip } },
      );
      const body = response.data;
      const page = Array.isArray(body) ? body : (body.data ?? []);
      keys.push(...page);
      const total = Array.isArray(body) ? undefined : body.total;
      if (page.length < PAGE || (total !== undefined && keys.length >= total)) return keys;
    }
  }

  async get(id: string, options: { label: string }): Promise<RemoteKey | undefined> {
    const response = await this.client.request<DidomiKey>(
      { operation: "read", keyLabel: options.label },
      { method: "GET", url: this.keyPath(id) },
      { notFoundOk: true },
    );
    return response ? toRemoteKey(response.data) : undefined;
  }

  private async patch(id: string, body: Record<string, unknown>, label: string): Promise<DidomiKey> {
    const response = await this.client.request<DidomiKey>({ operation: "update", keyLabel: label }, { method: "PATCH", url: this.keyPath(id), data: body });
    return response.data;
  }

  async update(id: string, changes: KeyChanges, options: { label: string }): Promise<RemoteKey> {
    const body: Record<string, unknown> = {};
    if (changes.displayName !== undefined) body.name = changes.displayName;
    if ("description" in changes) body.description = changes.description ?? "";
    if (changes.enabled !== undefined) body.enabled = changes.enabled;
    return toRemoteKey(await this.patch(id, body, options.label));
  }

  async delete(id: string, options: { label: string; gracePeriodSeconds?: number }): Promise<void> {
    await this.client.request({ operation: "delete", keyLabel: options.label }, { method: "DELETE", url: this.keyPath(id) }, { notFoundOk: true });
  }

  /**
   * Didomi cannot give a key a new secret: a rotation makes a successor with the key's settings and
   * leaves the old key alone. The provider keeps the old key in state (`pendingRevocations`) and
   * deletes it once the grace period is over (two-slot rotation).
   */
  async roll(id: string, options: { label: string }): Promise<IssuedRemoteKey> {
    const current = await this.get(id, options);
    if (!current)
      throw new KeyApiError({ operation: "roll", keyLabel: options.label, status: 404, serverMessage: "the key no longer exists", retryable: false });
    const spec = {
      ...current,
      displayName: current.displayName ?? "",
      description: current.description ?? "",
      enabled: current.enabled ?? true,
      environment: "test" as const,
      privileges: [],
    };
    return this.create(spec, { label: options.label });
  }
}
