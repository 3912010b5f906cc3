import { normalizePrivileges, type Privilege } from "../../../shared/privilege";
import type { KeyApiClient } from "../../http/keyApiClient";
import { CannotRotateError, KeyApiError, type KeyOperation } from "../../errors";
import { createWithoutOrphans } from "../lostCreate";
import type { IssuedRemoteKey, KeyBackend, KeyChanges, KeyField, KeySpec, RemoteKey, RollOptions } from "../keyBackend";
import { isoDateOf, isoDurationOfSeconds } from "../vendorDates";

// Typed by Coveo's own client (@coveo/platform-client, a development dependency: type-only imports,
// erased from the build): tsc fails if we send or read a field Coveo's models do not have.
import type { ApiKeyModel, CreateApiKeyModel, ExposureReport, PrivilegeModel } from "@coveo/platform-client";
import type { KeyExposure } from "../../keyState/exposure";

/** A privilege as Coveo's Authorization Server takes it: one target id per entry (Coveo's PrivilegeModel). */
interface CoveoPrivilege {
  owner: string;
  targetDomain: string;
  type?: string;
  targetId?: string;
}

/**
 * A key as Coveo answers it: Coveo's ApiKeyModel, plus `rotationSecret`, which Coveo returns from
 * create (with `rotationEnabled`) and rotate. Coveo's client has no rotation yet; the contract is
 * from "Manage API keys programmatically" (https://docs.coveo.com/en/82) and the Authorization
 * Server's OpenAPI document, and the emulator keeps our reading of it.
 */
type CoveoApiKey = WithAnyAdditionalConfiguration<ApiKeyModel> & { rotationSecret?: string };

/**
 * Coveo's models with `additionalConfiguration` as any object: Coveo's own model of it is marked "to be
 * revised" and lists two sections, ours takes (and reads back) any object Coveo accepts there.
 */
type WithAnyAdditionalConfiguration<Model> = Omit<Model, "additionalConfiguration"> & { additionalConfiguration?: Record<string, unknown> };

/** What create sends: Coveo's CreateApiKeyModel, plus `rotationEnabled` (see CoveoApiKey). */
type CoveoCreateBody = WithAnyAdditionalConfiguration<CreateApiKeyModel> & { rotationEnabled: boolean };

/** The fields Coveo's PUT changes; privileges, template and lifetime need a new key. */
const PUT_FIELDS = ["displayName", "description", "allowedIps", "deniedIps", "additionalConfiguration"] as const satisfies readonly (keyof ApiKeyModel)[];
type PutField = (typeof PUT_FIELDS)[number];

function exposureOf(report: ExposureReport): KeyExposure {
  return {
    severity: report.severity,
    reasons: report.reasons.map((r) => ({ source: r.source, ...(r.url ? { url: r.url } : {}) })),
    ...(report.deactivationDate ? { deactivatesAt: isoDateOf(report.deactivationDate, new Date(0).toISOString()) } : {}),
  };
}

/** Our privilege (a list of targetIds) as Coveo's (one targetId per entry). */
function toCoveoPrivileges(privileges: readonly Privilege[]): CoveoPrivilege[] {
  return privileges.flatMap((p) => {
    const base = { owner: p.owner, targetDomain: p.targetDomain, type: p.type } satisfies PrivilegeModel;
    return p.targetIds && p.targetIds.length > 0 ? p.targetIds.map((targetId) => ({ ...base, targetId }) satisfies PrivilegeModel) : [base];
  });
}

function fromCoveoPrivileges(privileges: readonly CoveoPrivilege[] | undefined): Privilege[] {
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
  const nonEmpty = (list: string[] | undefined): list is string[] => Array.isArray(list) && list.length > 0;
  return {
    id: k.id,
    displayName: k.displayName ?? "",
    description: k.description ?? "",
    enabled: k.enabled ?? true,
    privileges: fromCoveoPrivileges(k.privileges),
    ...(nonEmpty(k.allowedIps) ? { allowedIps: [...k.allowedIps].sort() } : {}),
    ...(nonEmpty(k.deniedIps) ? { deniedIps: [...k.deniedIps].sort() } : {}),
    ...(k.additionalConfiguration && Object.keys(k.additionalConfiguration).length > 0 ? { additionalConfiguration: k.additionalConfiguration } : {}),
    ...(k.apiKeyTemplateId ? { templateId: k.apiKeyTemplateId } : {}),
    hint: hintOf(k.value, k.id),
    createdAt: isoDateOf(k.createdDate, new Date(0).toISOString()),
    // Coveo computes it from the lifetime; `diff` treats it as the API's, never as a declared change.
    ...(k.expirationDate ? { expiresAt: isoDateOf(k.expirationDate, new Date(0).toISOString()) } : {}),
    ...(k.exposureReport ? { exposure: exposureOf(k.exposureReport) } : {}),
    // Coveo's "approximate API key last used date" (ApiKeyModel.lastUsedDate, epoch milliseconds).
    ...(k.lastUsedDate ? { lastUsedAt: isoDateOf(k.lastUsedDate, new Date(0).toISOString()) } : {}),
  };
}

function toIssuedKey(k: CoveoApiKey): IssuedRemoteKey {
  return { key: toRemoteKey(k), ...(k.value ? { secret: k.value } : {}), ...(k.rotationSecret ? { rotationSecret: k.rotationSecret } : {}) };
}

function keyGone(purpose: { operation: KeyOperation; keyLabel: string }): KeyApiError {
  return new KeyApiError({ ...purpose, status: 404, serverMessage: "the key no longer exists", retryable: false });
}

/**
 * What a PUT sends for the changed fields Coveo's PUT takes: a cleared description is empty, cleared
 * IP lists are empty lists, a cleared configuration is left out.
 */
function putChanges(changes: KeyChanges): Partial<Pick<CoveoApiKey, PutField>> {
  const changed: Partial<Pick<CoveoApiKey, PutField>> = {};
  if ("displayName" in changes) changed.displayName = changes.displayName ?? undefined;
  if ("description" in changes) changed.description = changes.description ?? "";
  if ("allowedIps" in changes) changed.allowedIps = changes.allowedIps ?? [];
  if ("deniedIps" in changes) changed.deniedIps = changes.deniedIps ?? [];
  if ("additionalConfiguration" in changes) changed.additionalConfiguration = changes.additionalConfiguration ?? undefined;
  return changed;
}

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
    // Unset fields stay undefined (JSON leaves them out); `satisfies` refuses a field Coveo's model lacks.
    const model = {
      displayName: spec.displayName,
      description: spec.description,
      privileges: toCoveoPrivileges(spec.privileges),
      allowedIps: spec.allowedIps ? [...spec.allowedIps] : undefined,
      deniedIps: spec.deniedIps ? [...spec.deniedIps] : undefined,
      lifetimeDuration: spec.lifetime,
      additionalConfiguration: spec.additionalConfiguration,
    } satisfies WithAnyAdditionalConfiguration<CreateApiKeyModel>;
    // `rotationEnabled` is needed for the rotate endpoint (it is what makes Coveo return a
    // rotationSecret). Coveo's create model has no `enabled`: a key declared disabled is disabled
    // right after it is made (below).
    const body: CoveoCreateBody = { ...model, rotationEnabled: true };
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
    const issued = toIssuedKey(response.data);
    if (spec.enabled) return issued;
    try {
      await this.client.request(
        { operation: "create", keyLabel: options.label },
        { method: "PUT", url: `${this.keysPath}/${encodeURIComponent(issued.key.id)}/disable` },
      );
    } catch (error) {
      // A key that should be disabled must not be left working: remove it, and the retry starts over.
      await this.delete(issued.key.id, { label: options.label }).catch(() => undefined);
      throw error;
    }
    return { ...issued, key: { ...issued.key, enabled: false } };
  }

  private async list(label: string): Promise<CoveoApiKey[]> {
    const response = await this.client.request<CoveoApiKey[]>({ operation: "read", keyLabel: label }, { method: "GET", url: this.keysPath });
    return Array.isArray(response.data) ? response.data : [];
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
      const { value: _masked, rotationSecret: _spent, ...model } = current;
      const next: CoveoApiKey = { ...model, ...putChanges(changes) };
      await this.client.request(purpose, { method: "PUT", url, data: next });
    }
    if (changes.enabled !== undefined) await this.client.request(purpose, { method: "PUT", url: `${url}/${changes.enabled ? "activate" : "disable"}` });
    const updated = await this.getRaw(id, options.label);
    if (!updated) throw keyGone(purpose);
    return toRemoteKey(updated);
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
    return toIssuedKey(response.data);
  }
}
