import type { AxiosRequestTransformer } from "axios";
import { addIsoDuration } from "../../../shared/isoDuration";
import { KeyApiError, type KeyOperation } from "../../errors";
import type { KeyApiClient } from "../../http/keyApiClient";
import { isRecord } from "../../records";
import type { IssuedRemoteKey, KeyBackend, KeyChanges, KeyField, KeySpec, RemoteKey, RollOptions } from "../keyBackend";
import { isoDateOf } from "../vendorDates";
import type { AnswerPointers, KeyApiRequest } from "./description";
import { DescribedAnswerError } from "./errors";
import { answerPointersFor, type LoadedDescription } from "./load";
import { fillBody, fillPath, placeholdersOf, resolvePointer, type TemplateValue, type TemplateValues } from "./template";

type RequestName = "create" | "read" | "update" | "delete" | "roll";

/** The values of a key's fields a body template can carry (see KEY_VALUE_PLACEHOLDERS); null clears one. */
function keyValues(spec: KeyChanges, now: Date): Record<string, TemplateValue> {
  const lifetimeMs = spec.lifetime ? addIsoDuration(now, spec.lifetime).getTime() - now.getTime() : undefined;
  return {
    displayName: spec.displayName ?? undefined,
    // null asks to clear: an empty text, an empty list.
    description: spec.description === null ? "" : spec.description,
    enabled: spec.enabled ?? undefined,
    scopes: spec.scopes === null ? [] : spec.scopes,
    metadata: spec.metadata ?? undefined,
    expiresAt: spec.expiresAt,
    lifetimeSeconds: lifetimeMs === undefined ? undefined : Math.round(lifetimeMs / 1000),
    lifetimeMilliseconds: lifetimeMs,
  };
}

/** An answer's body as JSON: axios parses JSON answers; one sent as text/plain is parsed here. */
function jsonOf(data: unknown): unknown {
  if (typeof data !== "string" || data.trim() === "") return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

function stringsOf(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((element) => (typeof element === "string" ? element : JSON.stringify(element))) : undefined;
}

function labelsOf(value: unknown): Record<string, string> | undefined {
  return isRecord(value) ? Object.fromEntries(Object.entries(value).map(([name, v]) => [name, typeof v === "string" ? v : JSON.stringify(v)])) : undefined;
}

/** A date an answer gives as ISO text or epoch seconds/milliseconds; undefined for null or nothing. */
function dateOf(value: unknown): string | undefined {
  // Epoch seconds (JupyterHub does not, some APIs do) are told from milliseconds by their size.
  const ms = typeof value === "number" && value < 1e11 ? value * 1000 : value;
  const iso = isoDateOf(ms, "");
  return iso === "" ? undefined : iso;
}

/** The answer fields a create's answer must have (`lastUsedAt` is absent for a key never used, so not required). */
const REQUIRED_IN_CREATE = ["id", "secret", "displayName", "description", "enabled", "scopes", "metadata", "expiresAt", "createdAt", "hint"] as const;

/**
 * A key API described in a file (provider/backends/http/description.ts): every request, body and
 * answer field comes from the description; nothing here knows one API from another.
 */
export class HttpKeyBackend implements KeyBackend {
  readonly name = "http";

  constructor(
    private readonly api: LoadedDescription,
    private readonly client: KeyApiClient,
    readonly updatableFields: ReadonlySet<KeyField>,
    /** For a token sent in a header of the description's own (auth.kind header). */
    private readonly transformRequest?: AxiosRequestTransformer[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  private get description() {
    return this.api.description;
  }

  /**
   * An API whose description neither sends `{enabled}` nor answers it has no disabled keys: every key
   * it holds is enabled. Said so on a read, an imported key declared as it is (enabled by default)
   * is no change, instead of a replacement of the key.
   */
  private get alwaysEnabled(): boolean {
    const { create, update, answer, read } = this.description;
    return (
      !placeholdersOf(create.body).includes("enabled") &&
      !update?.fields.includes("enabled") &&
      answer.enabled === undefined &&
      read.answer?.enabled === undefined
    );
  }

  private isGone(error: unknown): boolean {
    return error instanceof KeyApiError && error.status !== undefined && (this.description.goneStatuses ?? [404, 410]).includes(error.status);
  }

  private async send(name: RequestName, values: TemplateValues, purpose: { operation: KeyOperation; keyLabel: string }): Promise<unknown> {
    const request: KeyApiRequest | undefined = this.description[name];
    if (!request) throw new RangeError(`the description has no ${name} request`);
    const all: TemplateValues = { ...this.description.variables, ...values };
    const data = request.body === undefined ? undefined : fillBody(request.body, all);
    // A POST the API cannot deduplicate is retried only when it surely did not arrive.
    const onlyUnsent = name === "create" || name === "roll";
    const response = await this.client.request<unknown>(
      purpose,
      { method: request.method, url: fillPath(request.path, all), data, ...(this.transformRequest ? { transformRequest: this.transformRequest } : {}) },
      { onlyUnsent },
    );
    return jsonOf(response.data);
  }

  /** The key an answer describes, read with `pointers`; fields the answer lacks are left out (the stack keeps the declared ones). */
  private remoteKey(answer: unknown, pointers: AnswerPointers, id: string): RemoteKey {
    const at = (field: keyof AnswerPointers): unknown => {
      const pointer = pointers[field];
      if (pointer === undefined) return undefined;
      const match = resolvePointer(answer, pointer);
      return match.found ? match.value : undefined;
    };
    const displayName = at("displayName");
    const description = at("description");
    const enabled = at("enabled");
    const hint = at("hint");
    const lastUsedAt = dateOf(at("lastUsedAt"));
    const expiresAt = dateOf(at("expiresAt"));
    const scopes = stringsOf(at("scopes"));
    const metadata = labelsOf(at("metadata"));
    return {
      id,
      ...(typeof displayName === "string" ? { displayName } : {}),
      ...(typeof description === "string" ? { description } : description === null ? { description: "" } : {}),
      ...(typeof enabled === "boolean" ? { enabled } : this.alwaysEnabled ? { enabled: true } : {}),
      ...(scopes ? { scopes } : {}),
      ...(metadata ? { metadata } : {}),
      ...(expiresAt ? { expiresAt } : {}),
      hint: typeof hint === "string" && hint !== "" ? hint : `${id.slice(0, 8)}…`,
      createdAt: dateOf(at("createdAt")) ?? new Date(0).toISOString(),
      ...(lastUsedAt ? { lastUsedAt } : {}),
    };
  }

  /** The id an answer gives (a string or a number), if the pointer finds one. */
  private idIn(answer: unknown, pointer: string): string | undefined {
    const match = resolvePointer(answer, pointer);
    if (!match.found) return undefined;
    return typeof match.value === "string" && match.value !== "" ? match.value : typeof match.value === "number" ? String(match.value) : undefined;
  }

  private secretIn(answer: unknown, pointer: string): string | undefined {
    const match = resolvePointer(answer, pointer);
    return match.found && typeof match.value === "string" && match.value !== "" ? match.value : undefined;
  }

  private answerError(operation: string, field: string, pointer: string, keyLabel: string, aftermath: string): DescribedAnswerError {
    return new DescribedAnswerError({ file: this.api.file, operation, pointerName: `answer.${field}`, pointer, keyLabel, aftermath });
  }

  create(spec: KeySpec, options: { label: string }): Promise<IssuedRemoteKey> {
    return this.issue(spec, options);
  }

  /** A create from the fields the API takes: a declaration, or what the read answers about a key a rotation succeeds. */
  private async issue(spec: KeyChanges, options: { label: string }): Promise<IssuedRemoteKey> {
    const answer = await this.send("create", keyValues(spec, this.now()), { operation: "create", keyLabel: options.label });
    const pointers = answerPointersFor(this.description, this.description.create);
    const id = this.idIn(answer, pointers.id);
    if (id === undefined)
      throw this.answerError(
        "creating",
        "id",
        pointers.id,
        options.label,
        "The API may have made a key the provider cannot name: look for it on the API and delete it.",
      );
    // Every pointer the description gives for a create's answer must find something (null counts):
    // one that finds nothing is a description that does not fit this API.
    const missing = REQUIRED_IN_CREATE.find((field) => pointers[field] !== undefined && !resolvePointer(answer, pointers[field]).found);
    const secret = this.secretIn(answer, pointers.secret);
    if (missing !== undefined || secret === undefined) {
      const field = missing ?? "secret";
      // The key exists but is useless to the stack: it goes again now, instead of being left behind.
      const aftermath = await this.delete(id, { label: options.label }).then(
        () => `The key it made (${id}) was deleted again.`,
        () => `The key it made (${id}) could not be deleted: delete it on the API.`,
      );
      throw this.answerError("creating", field, pointers[field] ?? "", options.label, aftermath);
    }
    let key = this.remoteKey(answer, pointers, id);
    // An API that creates keys enabled, and disables them only by an update.
    if (spec.enabled === false && !placeholdersOf(this.description.create.body).includes("enabled")) key = await this.update(id, { enabled: false }, options);
    return { key, secret };
  }

  async get(id: string, options: { label: string }): Promise<RemoteKey | undefined> {
    try {
      const answer = await this.send("read", { id }, { operation: "read", keyLabel: options.label });
      return this.remoteKey(answer, answerPointersFor(this.description, this.description.read), id);
    } catch (error) {
      if (this.isGone(error)) return undefined;
      throw error;
    }
  }

  async update(id: string, changes: KeyChanges, options: { label: string }): Promise<RemoteKey> {
    const update = this.description.update;
    const sent = Object.keys(changes).filter((field) => update?.fields.some((name) => name === field));
    // Changes to fields only the stack keeps need no request; the key is read back either way.
    if (update && sent.length > 0) {
      const all = keyValues(changes, this.now());
      const values = Object.fromEntries(sent.map((field) => [field, all[field]]));
      await this.send("update", { ...values, id }, { operation: "update", keyLabel: options.label });
    }
    const current = await this.get(id, options);
    if (!current)
      throw new KeyApiError({ operation: "update", keyLabel: options.label, status: 404, serverMessage: "the key no longer exists", retryable: false });
    return current;
  }

  async delete(id: string, options: { label: string }): Promise<void> {
    try {
      await this.send("delete", { id }, { operation: "delete", keyLabel: options.label });
    } catch (error) {
      if (!this.isGone(error)) throw error;
    }
  }

  /**
   * With a roll request: a new secret for the same key. Without one: a successor made from what the
   * read answers about the key (the stack deletes the old key after the grace period).
   */
  async roll(id: string, options: RollOptions): Promise<IssuedRemoteKey> {
    const roll = this.description.roll;
    if (!roll) {
      const current = await this.get(id, options);
      if (!current)
        throw new KeyApiError({ operation: "roll", keyLabel: options.label, status: 404, serverMessage: "the key no longer exists", retryable: false });
      // The successor is what the stack declares (what the API answers may differ: JupyterHub answers
      // scopes expanded); without a declaration, what the API answers about the key.
      const { id: _id, hint: _hint, createdAt: _createdAt, lastUsedAt: _lastUsedAt, expiresAt, ...fields } = current;
      return this.issue(options.spec ?? { ...fields, ...(options.lifetime ? { lifetime: options.lifetime } : { expiresAt }) }, options);
    }
    const now = this.now();
    const lifetime = keyValues({ lifetime: options.lifetime }, now);
    const answer = await this.send(
      "roll",
      { id, gracePeriodSeconds: options.gracePeriodSeconds, lifetimeSeconds: lifetime.lifetimeSeconds, lifetimeMilliseconds: lifetime.lifetimeMilliseconds },
      { operation: "roll", keyLabel: options.label },
    );
    const pointers = answerPointersFor(this.description, roll);
    const secret = this.secretIn(answer, pointers.secret);
    if (secret === undefined)
      throw this.answerError(
        "rolling",
        "secret",
        pointers.secret,
        options.label,
        "The API may have issued a new secret the stack does not hold: roll again once the pointer is fixed.",
      );
    const rolledId = this.idIn(answer, pointers.id) ?? id;
    const key = await this.get(rolledId, options);
    if (!key)
      throw new KeyApiError({
        operation: "roll",
        keyLabel: options.label,
        status: 404,
        serverMessage: "the key no longer exists after its roll",
        retryable: false,
      });
    return { key, secret };
  }
}
