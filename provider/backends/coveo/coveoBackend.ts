import { normalizePrivileges, type Privilege } from "../../../shared/privilege";
import type { KeyApiClient } from "../../http/keyApiClient";
import { CannotRotateError, KeyApiError, type KeyOperation } from "../../errors";
import { createWithoutOrphans } from "../lostCreate";
import type { IssuedRemoteKey, KeyBackend, KeyChanges, KeyField, KeySpec, RemoteKey, RollOptions } from "../keyBackend";
import { isoDateOf, isoDurationOfSeconds } from "../vendorDates";

/** A privilege as Coveo's Authorization Server takes it: one target id per entry. */
interface CoveoPrivilege {
  owner: string;
  targetDomain: string;
  type?: string;
  targetId?: string;
}

/** The ApiKeyModel fields we read or write (coveo/platform-client ApiKeysInterfaces.ts). */
interface CoveoApiKey {
  id: string;
  displayName?: string;
  description?: string;
  enabled?: boolean;
  value?: string;
  privileges?: CoveoPrivilege[];
  allowedIps?: string[];
  deniedIps?: string[];
  additionalConfiguration?: Record<string, unknown>;
  apiKeyTemplateId?: string;
  createdDate?: number | string;
  expirationDate?: number | string;
  rotationSecret?: string;
}

/** Our privilege (a list of targetIds) as Coveo's (one targetId per entry). */
export function toCoveoPrivileges(privileges: readonly Privilege[]): CoveoPrivilege[] {
  return privileges.flatMap((p) => {
    const base = { owner: p.owner, targetDomain: p.targetDomain, type: p.type };
    return p.targetIds && p.targetIds.length > 0 ? p.targetIds.map((targetId) => ({ ...base, targetId })) : [base];
  });
}

export function fromCoveoPrivileges(privileges: readonly CoveoPrivilege[] | undefined): Privilege[] {
  const grouped = new Map<string, Privilege>();
  for (const p of privileges ?? []) {
    const type = p.type ?? "ENABLE";
    const key = `${p.owner}/${p.targetDomain}/${type}`;
    const entry = grouped.get(key) ?? { owner: p.owner, targetDomain: p.targetDomain, type };
    if (p.targetId) entry.targetIds = [...(entry.targetIds ?? []), p.targetId];
    grouped.set(key, entry);
  }
  return normalizePrivileges([...grouped.values()]);
}

/** A masked value (`xx5a7f…****`) or a full one, cut to what is safe to show. */
function hintOf(value: string | undefined, id: string): string {
  const visible = (value ?? "").split("*")[0].slice(0, 8);
  return visible ? `${visible}…` : `${id.slice(0, 8)}…`;
}

function toRemoteKey(k: CoveoApiKey): RemoteKey {
  const nonEmpty = (list: string[] | undefined) => Array.isArray(list) && list.length > 0;
  return {
    id: k.id,
    displayName: k.displayName ?? "",
    description: k.description ?? "",
    enabled: k.enabled ?? true,
    privileges: fromCoveoPrivileges(k.privileges),
    ...(nonEmpty(k.allowedIps) ? { allowedIps: [...k.allowedIps!].sort() } : {}),
    ...(nonEmpty(k.deniedIps) ? { deniedIps: [...k.deniedIps!].sort() } : {}),
    ...(k.additionalConfiguration && Object.keys(k.additionalConfiguration).length > 0 ? { additionalConfiguration: k.additionalConfiguration } : {}),
    ...(k.apiKeyTemplateId ? { templateId: k.apiKeyTemplateId } : {}),
    hint: hintOf(k.value, k.id),
    createdAt: isoDateOf(k.createdDate, new Date(0).toISOString()),
  };
}

function toIssuedKey(k: CoveoApiKey): IssuedRemoteKey {
  return { key: toRemoteKey(k), ...(k.value ? { secret: k.value } : {}), ...(k.rotationSecret ? { rotationSecret: k.rotationSecret } : {}) };
}

function keyGone(purpose: { operation: KeyOperation; keyLabel: string }): KeyApiError {
  return new KeyApiError({ ...purpose, status: 404, serverMessage: "the key no longer exists", retryable: false });
}

/** The fields Coveo's PUT changes; privileges, template and lifetime need a new key. */
const PUT_FIELDS = ["displayName", "description", "allowedIps", "deniedIps", "additionalConfiguration"] as const;

/**
 * Coveo's Authorization Server (`/rest/organizations/{org}/apikeys`), authenticated with an OAuth2
 * access token (an API key cannot manage API keys). Rotation uses Coveo's rotate endpoint: a new
 * key inheriting the old one's settings, the old one expiring after the grace period.
 */
export class CoveoBackend implements KeyBackend {
  readonly name = "coveo";
  static readonly UPDATABLE_FIELDS: ReadonlySet<KeyField> = new Set<KeyField>([
    "displayName",
    "description",
    "enabled",
    "allowedIps",
    "deniedIps",
    "additionalConfiguration",
  ]);
  readonly updatableFields = CoveoBackend.UPDATABLE_FIELDS;
  private readonly keysPath: string;

  constructor(
    private readonly client: KeyApiClient,
    organizationId: string,
  ) {
    this.keysPath = `/rest/organizations/${encodeURIComponent(organizationId)}/apikeys`;
  }

  async create(spec: KeySpec, options: { label: string }): Promise<IssuedRemoteKey> {
    const body = {
      displayName: spec.displayName,
      description: spec.description,
      enabled: spec.enabled,
      privileges: toCoveoPrivileges(spec.privileges),
      ...(spec.allowedIps ? { allowedIps: spec.allowedIps } : {}),
      ...(spec.deniedIps ? { deniedIps: spec.deniedIps } : {}),
      ...(spec.lifetime ? { lifetimeDuration: spec.lifetime } : {}),
      ...(spec.additionalConfiguration ? { additionalConfiguration: spec.additionalConfiguration } : {}),
      // Needed for the rotate endpoint; it is what makes Coveo return a rotationSecret.
      rotationEnabled: true,
    };
    const response = await createWithoutOrphans({
      spec,
      attempts: 3,
      create: () =>
        this.client.request<CoveoApiKey>(
          { operation: "create", keyLabel: options.label },
          { method: "POST", url: this.keysPath, data: body, params: spec.templateId ? { apiKeyTemplateId: spec.templateId } : undefined },
          { onlyUnsent: true },
        ),
      listKeys: async () => (await this.list(options.label)).map(toRemoteKey),
      deleteKey: (id) => this.delete(id, { label: options.label, gracePeriodSeconds: 0 }),
    });
    return toIssuedKey(response!.data);
  }

  private async list(label: string): Promise<CoveoApiKey[]> {
    const response = await this.client.request<CoveoApiKey[]>({ operation: "read", keyLabel: label }, { method: "GET", url: this.keysPath });
    return Array.isArray(response?.data) ? response!.data : [];
  }

  private async getRaw(id: string, label: string): Promise<CoveoApiKey | undefined> {
    const response = await this.client.request<CoveoApiKey>(
      { operation: "read", keyLabel: label },
      { method: "GET", url: `${this.keysPath}/${encodeURIComponent(id)}` },
      { notFoundOk: true },
    );
    return response?.data;
  }

  async get(id: string, options: { label: string }): Promise<RemoteKey | undefined> {
    const raw = await this.getRaw(id, options.label);
    return raw ? toRemoteKey(raw) : undefined;
  }

  async update(id: string, changes: KeyChanges, options: { label: string }): Promise<RemoteKey> {
    const purpose = { operation: "update" as const, keyLabel: options.label };
    const url = `${this.keysPath}/${encodeURIComponent(id)}`;
    if (PUT_FIELDS.some((field) => field in changes)) {
      const current = await this.getRaw(id, options.label);
      if (!current) throw keyGone(purpose);
      const { value: _masked, ...model } = current!;
      const next: Record<string, unknown> = { ...model };
      for (const field of PUT_FIELDS)
        if (field in changes)
          next[field] = (changes as Record<string, unknown>)[field] ?? (field === "description" ? "" : field.endsWith("Ips") ? [] : undefined);
      await this.client.request(purpose, { method: "PUT", url, data: next });
    }
    if (changes.enabled !== undefined) await this.client.request(purpose, { method: "PUT", url: `${url}/${changes.enabled ? "activate" : "disable"}` });
    const updated = await this.getRaw(id, options.label);
    if (!updated) throw keyGone(purpose);
    return toRemoteKey(updated!);
  }

  async delete(id: string, options: { label: string; gracePeriodSeconds?: number }): Promise<void> {
    await this.client.request(
      { operation: "delete", keyLabel: options.label },
      { method: "DELETE", url: `${this.keysPath}/${encodeURIComponent(id)}` },
      { notFoundOk: true },
    );
  }

  async roll(_id: string, options: RollOptions): Promise<IssuedRemoteKey> {
    if (!options.rotationSecret) {
      throw new CannotRotateError(
        options.label,
        "the stack holds no Coveo rotation secret for it (an adopted key, or one created without rotation)",
        "remove adoptKeyId or change a replacing property to create a key the stack can rotate",
      );
    }
    const response = await this.client.request<CoveoApiKey>(
      { operation: "roll", keyLabel: options.label },
      {
        method: "POST",
        url: `${this.keysPath}/rotate`,
        data: {
          rotationSecret: options.rotationSecret,
          previousKeyExpirationPeriod: isoDurationOfSeconds(options.gracePeriodSeconds),
          ...(options.lifetime ? { newKeyExpirationPeriod: options.lifetime } : {}),
        },
      },
      // The rotation secret is spent by a rotation that arrived: never send it twice.
      { onlyUnsent: true },
    );
    return toIssuedKey(response!.data);
  }
}
