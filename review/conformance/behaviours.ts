import { randomBytes } from "node:crypto";
import { describedCapabilities } from "../../provider/backends/http/capabilities";
import type { KeyApiDescription } from "../../provider/backends/http/description";
import { loadDescription } from "../../provider/backends/http/load";
import { placeholdersOf } from "../../provider/backends/http/template";
import { ApiKeyProvider } from "../../provider/apiKeyProvider";
import type { ApiKeyInputs, ApiKeyOutputs } from "../../provider/keyState/inputs";
import { messageOf } from "../../shared/caught";

/** What became of one behaviour: it works, the description does not have it (and what the provider does instead), it fails, or it could not be tried. */
export type Outcome = "passed" | "not supported" | "failed" | "not run";

/** One behaviour of the key API, as the conformance kit found it. Never holds a secret. */
export interface BehaviourResult {
  /** The behaviour, e.g. "create". */
  readonly behaviour: string;
  readonly outcome: Outcome;
  /** What was checked, what the provider does instead, or what the API (or the provider) answered. */
  readonly detail: string;
}

/** A run against one described API. */
export interface ConformanceOptions {
  /** The description file (absolute, or relative to `cwd`). */
  readonly api: string;
  readonly cwd: string;
  /** Overrides the description's baseUrl (connection.endpoint). */
  readonly endpoint?: string;
  /** The token, when it does not come from the description's own auth.tokenFromEnv. */
  readonly token?: string;
  /** The scopes the test key is declared with (an API that refuses a key without any needs them). */
  readonly scopes: readonly string[];
  /** The environment the provider reads (the description's token variable among it). */
  readonly env: NodeJS.ProcessEnv;
}

/** A failure that ends a behaviour, with what the API or the provider said. */
class BehaviourFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BehaviourFailure";
  }
}

function expect(condition: boolean, message: string): asserts condition {
  if (!condition) throw new BehaviourFailure(message);
}

/** The key the run made, as the stack would hold it: what later behaviours change, and what the end deletes. */
interface Held {
  id: string;
  outs: ApiKeyOutputs;
  declared: Record<string, unknown>;
}

/**
 * Drives the provider's own hooks (the ApiKeyProvider a stack runs: check, create, read, diff, update,
 * delete) against the real API through its description, in the order a stack's life takes them:
 * create, read, update in place (if described), disable (if described), rotation, delete. Every key it
 * makes is deleted before it returns, whatever failed.
 */
export async function runConformance(options: ConformanceOptions): Promise<BehaviourResult[]> {
  const results: BehaviourResult[] = [];
  const secrets = new Set<string>(options.token ? [options.token] : []);
  /** Every text the kit reports goes through this: no secret it has seen (token, issued secrets) survives it. */
  const scrub = (text: string) => [...secrets].filter((s) => s.length >= 4).reduce((t, s) => t.split(s).join("[secret]"), text);
  const record = (behaviour: string, outcome: Outcome, detail: string) => results.push({ behaviour, outcome, detail: scrub(detail) });

  let description: KeyApiDescription;
  let file: string;
  try {
    ({ description, file } = loadDescription(options.api, options.cwd));
  } catch (error) {
    record("description", "failed", messageOf(error));
    return results;
  }
  const capabilities = describedCapabilities({ file, description });
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    APIKEYS_BACKEND: "http",
    APIKEYS_API: options.api,
    ...(options.endpoint ? { APIKEYS_ENDPOINT: options.endpoint } : {}),
    ...(options.token ? { APIKEYS_TOKEN: options.token } : {}),
  };
  const tokenFromEnv = description.auth.tokenFromEnv ? env[description.auth.tokenFromEnv] : undefined;
  if (tokenFromEnv) secrets.add(tokenFromEnv);
  const provider = new ApiKeyProvider({ env });
  const run = `${randomBytes(3).toString("hex")}`;
  const declare = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    displayName: `pulumi-apikeys conformance ${run}`,
    description: "made by pulumi-apikeys conformance; deleted when it ends",
    ...(options.scopes.length > 0 ? { scopes: [...options.scopes] } : {}),
    ...extra,
  });
  const check = async (news: Record<string, unknown>, olds: object = {}): Promise<ApiKeyInputs> => {
    const checked = await provider.check(olds, news);
    expect(checked.failures.length === 0, `check refused the declaration: ${checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    return checked.inputs;
  };
  /** Every key the run made and has not seen deleted: the end deletes them. */
  const made = new Map<string, ApiKeyOutputs>();
  let held: Held | undefined;

  const attempt = async (behaviour: string, body: () => Promise<string | { notSupported: string }>) => {
    try {
      const answer = await body();
      if (typeof answer === "string") record(behaviour, "passed", answer);
      else record(behaviour, "not supported", answer.notSupported);
      return true;
    } catch (error) {
      record(behaviour, "failed", messageOf(error));
      return false;
    }
  };
  const notRun = (behaviour: string, why: string) => record(behaviour, "not run", why);

  const created = await attempt("create", async () => {
    const declared = declare();
    const inputs = await check(declared);
    const answer = await provider.create(inputs);
    const outs = answer.outs;
    expect(outs !== undefined && answer.id !== "", "the create answered no key");
    made.set(answer.id, outs);
    expect(typeof outs.secret === "string" && outs.secret.length > 0, `the create's answer had no secret at answer.secret "${description.answer.secret}"`);
    secrets.add(outs.secret);
    held = { id: answer.id, outs, declared };
    return `key ${answer.id} made, its secret read from answer.secret "${description.answer.secret}" (${outs.secret.length} characters, not shown)`;
  });
  if (!created || !held) {
    for (const behaviour of ["read", "update in place", "disable", "rotation", "delete"]) notRun(behaviour, "the create failed");
    return results;
  }
  const key: Held = held;

  await attempt("read", async () => {
    const read = await provider.read(key.id, key.outs);
    expect(read.id === key.id && read.props !== undefined, `a read of key ${key.id} answered it gone (read.path ${description.read.path}; goneStatuses)`);
    const answered = capabilities.keptInStack.has("displayName") ? undefined : read.props.displayName;
    expect(answered === undefined || answered === key.declared.displayName, `the read answered displayName "${answered}", not the declared name`);
    key.outs = read.props;
    // What a refresh records must not look like drift: the same declaration is no change.
    const diff = await provider.diff(key.id, read.props, await check(key.declared, read.props));
    expect(!diff.changes, "after a read the same declaration shows a change: an answer pointer reads a field differently from how it was sent");
    return `key ${key.id} found${answered ? ", with the declared name" : ""}; the same declaration is no change after it`;
  });

  const inPlace = (description.update?.fields ?? []).find((f) => f === "displayName" || f === "description");
  await attempt("update in place", async () => {
    const field = inPlace ?? "displayName";
    const value = field === "displayName" ? `pulumi-apikeys conformance ${run} renamed` : "changed by pulumi-apikeys conformance";
    const news = await check(declare({ [field]: value }), key.outs);
    const diff = await provider.diff(key.id, key.outs, news);
    if (!inPlace) {
      const instead = capabilities.keptInStack.has("displayName")
        ? "the API neither takes nor answers displayName: a change to it changes the state only"
        : "a declared change replaces the key (the new key first, then the old one is deleted)";
      const replaces = diff.replaces ?? [];
      expect(
        capabilities.keptInStack.has("displayName") ? replaces.length === 0 : replaces.includes("displayName"),
        `the provider's diff for a rename did not say what the description implies (replaces: ${JSON.stringify(replaces)})`,
      );
      return { notSupported: `the description has no update of displayName or description; ${instead} (the provider's diff says so)` };
    }
    expect((diff.replaces ?? []).length === 0, `the diff replaces the key for ${field} although update.fields lists it: ${JSON.stringify(diff.replaces)}`);
    const updated = await provider.update(key.id, key.outs, news);
    expect(updated.outs?.keyId === key.outs.keyId && updated.outs.secret === key.outs.secret, "the update changed the key or its secret");
    const read = await provider.read(key.id, updated.outs);
    const answered = read.props?.[field];
    expect(answered === undefined || answered === value, `after the update the read answered ${field} "${String(answered)}", not "${value}"`);
    key.outs = read.props ?? updated.outs;
    key.declared = declare({ [field]: value });
    return `${field} changed in place by ${description.update?.method} ${description.update?.path}: same key, same secret${answered === undefined ? "" : ", read back"}`;
  });

  await attempt("disable", async () => {
    if (!capabilities.canDisable) {
      const refused = await provider.check(key.outs, { ...key.declared, enabled: false });
      expect(
        refused.failures.some((f) => f.property === "enabled"),
        "the description sends no {enabled}, yet check accepted enabled: false",
      );
      return { notSupported: "the description sends no {enabled}: preview refuses enabled: false, and every key reads as enabled" };
    }
    const news = await check({ ...key.declared, enabled: false }, key.outs);
    const updated = await provider.update(key.id, key.outs, news);
    const read = await provider.read(key.id, updated.outs);
    expect(read.props?.enabled !== true, "after disabling, the read answered enabled: true");
    const again = await provider.update(key.id, read.props!, await check({ ...key.declared, enabled: true }, read.props));
    key.outs = again.outs!;
    return "disabled and enabled again in place";
  });

  await attempt("rotation", async () => {
    const olds = key.outs;
    const oldKeyId = olds.keyId;
    const oldSecret = olds.secret;
    const news = await check({ ...key.declared, rotation: { trigger: `conformance-${run}` } }, olds);
    const diff = await provider.diff(key.id, olds, news);
    let outs: ApiKeyOutputs;
    if ((diff.replaces ?? []).length > 0) {
      // The engine's replacement: the new key first, then the old one goes.
      const successor = await provider.create(news);
      outs = successor.outs!;
      made.set(successor.id, outs);
      await provider.delete(key.id, olds);
      made.delete(key.id);
      key.id = successor.id;
    } else {
      expect(diff.changes === true, "a new rotation.trigger is no change to the provider's diff");
      outs = (await provider.update(key.id, olds, news)).outs!;
      made.set(outs.keyId, outs);
    }
    if (outs.secret) secrets.add(outs.secret);
    expect(typeof outs.secret === "string" && outs.secret.length > 0, "the rotation's answer had no secret (answer.secret, or roll.answer.secret)");
    expect(outs.secret !== oldSecret, "the rotation answered the same secret again");
    key.outs = outs;
    if (description.roll) {
      const grace = placeholdersOf(description.roll.body).includes("gracePeriodSeconds");
      return (
        `${description.roll.method} ${description.roll.path}: a new secret on key ${outs.keyId}${outs.keyId === oldKeyId ? " (same id)" : ""}; ` +
        (grace
          ? "the old secret works for gracePeriodSeconds (the roll body sends it)"
          : "no grace: the old secret ends at once (preview refuses a grace period)")
      );
    }
    // No roll: a successor was made from the declaration, and (no grace declared here) the old key is gone at once.
    expect(outs.keyId !== oldKeyId, `without a roll the rotation kept key ${oldKeyId}`);
    const gone = await provider.read(key.id, { ...olds, keyId: oldKeyId, pendingRevocations: [] });
    expect(gone.id === "", `the old key ${oldKeyId} still reads after the rotation (no grace was declared)`);
    made.delete(oldKeyId);
    return {
      notSupported:
        `the description has no roll; instead a rotation makes a new key from the declaration (${outs.keyId}, checked) and the old one is ` +
        "deleted after rotation.gracePeriodSeconds by the next up (pendingRevocations; with no grace, at once: checked)",
    };
  });

  await attempt("delete", async () => {
    await provider.delete(key.id, key.outs);
    made.delete(key.id);
    const read = await provider.read(key.id, key.outs);
    expect(read.id === "", `key ${key.outs.keyId} still reads after its delete (${description.delete.method} ${description.delete.path})`);
    await provider.delete(key.id, key.outs);
    return `key ${key.outs.keyId} deleted; a read then answers it gone, and a second delete succeeds (goneStatuses)`;
  });

  // Whatever failed above, no key of the run stays behind.
  for (const [id, outs] of made) {
    await provider
      .delete(id, outs)
      .catch((error: unknown) => record("clean-up", "failed", `key ${id} could not be deleted: ${messageOf(error)}; delete it by hand`));
  }
  return results;
}
