import { keyChanges } from "../../review/keyChanges";
import { parsePreviewJson } from "../../review/previewJson";
import { markdownReport } from "../../review/keyChangeReport";
import { alertSigner } from "../helpers/alertSigner";
import type { EngineStack } from "../helpers/engine";
import { startServerAndStack } from "../helpers/engineFixture";
import { resourceOps, searchPrivilege, whoami, type TestOrganization } from "../helpers/fixtures";
import type { TestServer } from "../helpers/testServer";

const viewAll = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW" };

jest.setTimeout(240_000);

/** Signs alerts like GitHub's secret scanning; its public key is configured on the server. */
const scanner = alertSigner("e2e-scanner");

describe("the real Pulumi engine", () => {
  let server: TestServer;
  let org: TestOrganization;
  let stack: EngineStack;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ server, org, stack, close } = await startServerAndStack({
      name: expect.getState().currentTestName!.replace(/\W+/g, "-").slice(0, 40),
      server: { leakAlertKeys: JSON.stringify({ public_keys: [scanner.published] }) },
    }));
  });
  afterEach(async () => close());

  const keysOnServer = async () => (await server.api("GET", `/v1/organizations/${org.id}/keys`, { token: org.token })).body.items as any[];
  const mutatingRequests = () => server.logs.map((l) => JSON.parse(l)).filter((l) => l.method && l.method !== "GET" && l.path.includes("/keys"));

  test("up creates the keys; the secret is only ciphertext in state and absent from the engine's output; a second up changes nothing", async () => {
    stack.keys = {
      "search-frontend": { displayName: "Search front end", environment: "live", privileges: [searchPrivilege] },
      "ci-tests": { environment: "test", description: "CI" },
    };
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    const secret = up.outputs["search-frontend.secret"];
    expect(secret.secret).toBe(true);
    expect(secret.value).toMatch(/^ak_live_/);
    expect((await whoami(server, secret.value)).body.keyId).toBe(up.outputs["search-frontend.keyId"].value);
    expect(await keysOnServer()).toHaveLength(2);

    const state = stack.exportedState();
    expect(state).toContain("ciphertext");
    expect(state).not.toContain(secret.value);
    expect(state).not.toContain(up.outputs["ci-tests.secret"].value);
    expect(state).not.toContain(org.token);
    expect(stack.log.join("")).not.toContain(secret.value);

    const mutatingBefore = mutatingRequests().length;
    const again = await stack.up();
    expect(again.summary.resourceChanges).toEqual({ same: 3 });
    expect(mutatingRequests().length).toBe(mutatingBefore);
    expect(stack.log.join("")).not.toContain(secret.value);
  });

  test("a key with a lifetime is renewed before it expires: preview shows the replacement and how soon it expires, up issues a new secret with a new expiry, the old one works through the grace", async () => {
    stack.keys = { "partner-feed": { displayName: "partner feed", lifetime: "P30D", rotation: { renewBeforeExpiry: "P7D", gracePeriodSeconds: 3600 } } };
    // The key is made 25 days ago in the server's time: it expires in 5 days.
    server.clock.advance(-25 * 86_400);
    const up = await stack.up();
    server.clock.advance(25 * 86_400);
    const firstId = up.outputs["partner-feed.keyId"].value as string;
    const firstSecret = up.outputs["partner-feed.secret"].value as string;
    const [made] = await keysOnServer();
    expect(made).toMatchObject({ id: firstId, lifetime: "P30D" });
    expect(Date.parse(made.expiresAt) - Date.now()).toBeLessThan(5 * 86_400_000 + 60_000);

    const preview = await stack.previewJson();
    expect(resourceOps(preview.json)).toEqual({ "partner-feed": "replace" });
    const [change] = keyChanges(parsePreviewJson(preview.text));
    expect(change.secretReasons).toEqual(["expires in 5 days"]);
    expect(markdownReport([change])).toContain("| **new secret** (expires in 5 days) |");

    const renewed = await stack.up();
    const newId = renewed.outputs["partner-feed.keyId"].value as string;
    expect(newId).not.toBe(firstId);
    const renewedKey = (await keysOnServer()).find((k) => k.id === newId);
    expect(Date.parse(renewedKey.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await whoami(server, renewed.outputs["partner-feed.secret"].value)).status).toBe(200);
    // The old secret works through the grace period, then stops.
    expect((await whoami(server, firstSecret)).status).toBe(200);
    server.clock.advance(3601);
    expect((await whoami(server, firstSecret)).status).toBe(401);
    expect((await stack.previewJson()).json.changeSummary).toEqual({ same: 2 });
  });

  test("a leaked key: the scanner's alert revokes it, refresh records why, preview and the review show the replacement, up issues a working successor", async () => {
    stack.keys = { checkout: { displayName: "checkout", privileges: [searchPrivilege] } };
    const up = await stack.up();
    const leakedId = up.outputs["checkout.keyId"].value as string;
    const leaked = up.outputs["checkout.secret"].value as string;
    const body = JSON.stringify([{ token: leaked, type: "pulumi_apikeys_secret", url: "https://github.com/acme/shop/blob/main/.env", source: "content" }]);
    const alert = await server.api("POST", "/v1/secret-scanning/alerts", { rawBody: body, headers: scanner.headers(body) });
    expect(alert.body).toEqual([expect.objectContaining({ label: "true_positive" })]);
    expect((await whoami(server, leaked)).body.error.reason).toBe("REVOKED");

    await stack.refresh();
    expect(stack.exportedState()).not.toContain(leaked);
    const preview = await stack.previewJson();
    expect(resourceOps(preview.json)).toEqual({ checkout: "replace" });
    const [change] = keyChanges(parsePreviewJson(preview.text));
    expect(change.secretReasons).toEqual(["replaces a key revoked as leaked"]);
    expect(markdownReport([change])).toContain("| **new secret** (replaces a key revoked as leaked) |");

    const replaced = await stack.up();
    const successor = replaced.outputs["checkout.secret"].value as string;
    expect(replaced.outputs["checkout.keyId"].value).not.toBe(leakedId);
    expect((await whoami(server, successor)).body.keyId).toBe(replaced.outputs["checkout.keyId"].value);
    expect((await whoami(server, leaked)).status).toBe(401);
    expect((await stack.previewJson()).json.changeSummary).toEqual({ same: 2 });
  });

  test("a privilege change previews by name and updates in place: same key, same secret", async () => {
    stack.keys = { search: { privileges: [searchPrivilege] } };
    const first = await stack.up();
    stack.keys = { search: { privileges: [searchPrivilege, viewAll] } };
    const preview = await stack.preview({ diff: true });
    expect(preview.changeSummary).toMatchObject({ update: 1 });
    expect(preview.stdout).toContain("VIEW_ALL_CONTENT");
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect(up.outputs["search.keyId"].value).toBe(first.outputs["search.keyId"].value);
    expect(up.outputs["search.secret"].value).toBe(first.outputs["search.secret"].value);
    expect((await whoami(server, first.outputs["search.secret"].value)).body.privileges).toEqual([searchPrivilege, viewAll]);
  });

  test("a new rotation.trigger replaces: the new key is created before the old one is revoked, which works through the grace period", async () => {
    stack.keys = { search: { privileges: [searchPrivilege], rotation: { trigger: "2026-11", gracePeriodSeconds: 3600 } } };
    const first = await stack.up();
    stack.keys = { search: { privileges: [searchPrivilege], rotation: { trigger: "2026-12", gracePeriodSeconds: 3600 } } };
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
    const [oldId, newId] = [first.outputs["search.keyId"].value, up.outputs["search.keyId"].value];
    expect(newId).not.toBe(oldId);
    const audit = (await server.api("GET", `/v1/organizations/${org.id}/audit`, { token: org.token })).body.items.map((e: any) => `${e.action} ${e.keyId}`);
    // After organization.create and token.create (the organization's first admin token).
    expect(audit.slice(2)).toEqual([`key.create ${oldId}`, `key.create ${newId}`, `key.revoke_scheduled ${oldId}`]);
    expect((await whoami(server, first.outputs["search.secret"].value)).status).toBe(200);
    server.clock.advance(3601);
    expect((await whoami(server, first.outputs["search.secret"].value)).body.error.reason).toBe("REVOKED");
    expect((await whoami(server, up.outputs["search.secret"].value)).status).toBe(200);
  });

  test("the grace period declared with the rotation applies to it, even on a key that had none before; removing it revokes at once", async () => {
    stack.keys = { search: { privileges: [searchPrivilege] } };
    const first = await stack.up();
    // The first rotation also declares the grace period: the old key must keep working through it.
    stack.keys = { search: { privileges: [searchPrivilege], rotation: { trigger: "2027-Q1", gracePeriodSeconds: 3600 } } };
    const second = await stack.up();
    expect(second.outputs["search.keyId"].value).not.toBe(first.outputs["search.keyId"].value);
    expect((await whoami(server, first.outputs["search.secret"].value)).status).toBe(200);
    server.clock.advance(3601);
    expect((await whoami(server, first.outputs["search.secret"].value)).body.error.reason).toBe("REVOKED");
    // And the other way: a rotation that drops the grace period revokes the old key at once.
    stack.keys = { search: { privileges: [searchPrivilege], rotation: { trigger: "2027-Q2" } } };
    await stack.up();
    expect((await whoami(server, second.outputs["search.secret"].value)).body.error.reason).toBe("REVOKED");
  });

  test("drift: refresh drops a key deleted out of band and up recreates it; a key disabled out of band is re-enabled", async () => {
    stack.keys = { gone: {}, disabled: {} };
    const first = await stack.up();
    const goneId = first.outputs["gone.keyId"].value;
    const disabledId = first.outputs["disabled.keyId"].value;
    await server.api("DELETE", `/v1/organizations/${org.id}/keys/${goneId}`, { token: org.token });
    await server.api("PATCH", `/v1/organizations/${org.id}/keys/${disabledId}`, { token: org.token, body: { enabled: false } });

    const refresh = await stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1, update: 1 });
    const up = await stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1, update: 1 });
    expect(up.outputs["gone.keyId"].value).not.toBe(goneId);
    expect(up.outputs["disabled.keyId"].value).toBe(disabledId);
    expect((await whoami(server, first.outputs["disabled.secret"].value)).status).toBe(200);
    expect(await keysOnServer()).toHaveLength(2);
  });

  test("adoptKeyId brings a key made outside Pulumi under management without replacing it; rollOnAdopt then gives the stack a secret of its own", async () => {
    const existing = (
      await server.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "legacy", privileges: [viewAll] } })
    ).body;
    stack.keys = { legacy: { displayName: "legacy", privileges: [searchPrivilege], adoptKeyId: existing.id } };
    const up = await stack.up();
    expect(up.outputs["legacy.keyId"].value).toBe(existing.id);
    expect(await keysOnServer()).toHaveLength(1);
    expect((await whoami(server, existing.secret)).body.privileges).toEqual([searchPrivilege]);
    expect((await stack.up()).summary.resourceChanges).toEqual({ same: 2 });

    // Asked to hold a secret of its own: the next up rolls the adopted key in place (never replaces
    // it: a replacement would re-adopt the key and then delete it); the old secret works for the grace.
    stack.keys = {
      legacy: { displayName: "legacy", privileges: [searchPrivilege], adoptKeyId: existing.id, rotation: { rollOnAdopt: true, gracePeriodSeconds: 600 } },
    };
    const rolled = await stack.up();
    expect(rolled.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(rolled.outputs["legacy.keyId"].value).toBe(existing.id);
    const ownSecret = rolled.outputs["legacy.secret"].value as string;
    expect((await whoami(server, ownSecret)).body.keyId).toBe(existing.id);
    expect((await whoami(server, existing.secret)).status).toBe(200);
    server.clock.advance(601);
    expect((await whoami(server, existing.secret)).status).toBe(401);
    expect(await keysOnServer()).toHaveLength(1);
    // A later rotation also rolls in place: same key, a new secret.
    stack.keys = {
      legacy: { displayName: "legacy", privileges: [searchPrivilege], adoptKeyId: existing.id, rotation: { rollOnAdopt: true, trigger: "2027-01" } },
    };
    const again = await stack.up();
    expect(again.outputs["legacy.keyId"].value).toBe(existing.id);
    expect((await whoami(server, again.outputs["legacy.secret"].value)).body.keyId).toBe(existing.id);
    expect((await whoami(server, ownSecret)).status).toBe(401);
    expect(await keysOnServer()).toHaveLength(1);
  });

  test("destroy revokes every key", async () => {
    stack.keys = { a: {}, b: { environment: "live" } };
    const up = await stack.up();
    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 3 });
    expect(await keysOnServer()).toHaveLength(0);
    expect((await whoami(server, up.outputs["b.secret"].value)).body.error.reason).toBe("REVOKED");
  });

  test("bad input fails at preview with the property named, and nothing is created", async () => {
    stack.keys = { good: {}, bad: { environment: "prod" as any, privileges: [{ owner: "search", targetDomain: "X", type: "ENABLE" }] } };
    const error = await stack.preview().catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const text = `${(error as Error).message}\n${stack.log.join("")}`;
    expect(text).toContain('resource \'bad\': property environment value {prod} has a problem: must be "live" or "test"');
    expect(text).toContain("resource 'bad': property privileges[0].owner value {<nil>} has a problem: must be UPPER_SNAKE_CASE, for example SEARCH_API");
    expect(await keysOnServer()).toHaveLength(0);
    // The Automation API's up skips the preview (--skip-preview), so the engine may still create the
    // valid sibling; the invalid key itself never reaches the API.
    await expect(stack.up()).rejects.toThrow(/environment/);
    expect((await keysOnServer()).map((k) => k.displayName)).not.toContain("bad");
  });
});
