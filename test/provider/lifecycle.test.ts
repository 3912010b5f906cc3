import { startServer, type RunningServer } from "../../server/index";
import { isSecret } from "../../provider/native/secrets";
import { alertSigner } from "../helpers/alertSigner";
import { CoveoEmulator } from "../emulators/coveo/coveoEmulator";
import { DidomiEmulator } from "../emulators/didomi/didomiEmulator";
import { searchPrivilege, startServerWithOrganization, whoami, type TestOrganization } from "../helpers/fixtures";
import { DRIVER_KINDS, LifecycleStack, providerDriver, type DriverKind, type DriverOptions } from "../helpers/providerLifecycle";
import { callApi, freshDatabaseUrl, TestClock, type TestServer } from "../helpers/testServer";

/**
 * The provider's lifecycle (check, diff, create, read, update, delete) driven as the engine drives it,
 * without the engine: through the dynamic-provider host's calls and through the native provider's gRPC
 * service (test/helpers/providerLifecycle.ts), against the reference server and the Coveo and Didomi
 * emulators. What the engine itself adds (state files, secrets at rest, previews' text, the host
 * process, import) is tested in test/e2e.
 */

const viewAll = { owner: "SEARCH_API", targetDomain: "VIEW_ALL_CONTENT", type: "VIEW" };

/** Signs alerts like GitHub's secret scanning; its public key is configured on the server. */
const scanner = alertSigner("lifecycle-scanner");

describe.each(DRIVER_KINDS)("the provider's lifecycle on the reference server, %s", (kind) => {
  let server: TestServer;
  let org: TestOrganization;
  let stack: LifecycleStack;

  beforeEach(async () => {
    ({ t: server, org } = await startServerWithOrganization("sqlite", { leakAlertKeys: JSON.stringify({ public_keys: [scanner.published] }) }));
    stack = new LifecycleStack(providerDriver(kind, { config: { endpoint: server.url, organizationId: org.id, token: org.token }, now: server.clock.now }));
  });
  afterEach(async () => {
    await stack.driver.close();
    await server.close();
  });

  const keysOnServer = async () => (await server.api("GET", `/v1/organizations/${org.id}/keys`, { token: org.token })).body.items as any[];
  const mutatingRequests = () => server.logs.map((l) => JSON.parse(l)).filter((l) => l.method && l.method !== "GET" && l.path.includes("/keys"));

  test("create → read → update → roll → delete: the secret authenticates, is marked secret, survives refresh and update, and a new one replaces it", async () => {
    stack.keys = {
      "search-frontend": { displayName: "Search front end", environment: "live", privileges: [searchPrivilege] },
      "ci-tests": { environment: "test", description: "CI" },
    };
    expect(await stack.up()).toEqual({ "search-frontend": "create", "ci-tests": "create" });
    const created = stack.outputs("search-frontend");
    expect(created.secret).toMatch(/^ak_live_/);
    expect((await whoami(server, created.secret!)).body.keyId).toBe(created.keyId);
    expect(await keysOnServer()).toHaveLength(2);
    // The native provider hands the engine its secret outputs marked (it stores unmarked ones in plain text).
    if (kind === "native") expect(isSecret(stack.state.get("search-frontend")!.wire.outputs.secret)).toBe(true);

    // A second up changes nothing and sends nothing but reads.
    const mutatingBefore = mutatingRequests().length;
    expect(await stack.up()).toEqual({ "search-frontend": "same", "ci-tests": "same" });
    // A refresh keeps the key and its secret, and leaves nothing to do (the hint the API lists may be
    // shorter than the one the create answered: that alone is an output change, not a diff).
    await stack.refresh();
    expect(stack.outputs("search-frontend")).toMatchObject({ keyId: created.keyId, secret: created.secret });
    expect(await stack.preview()).toEqual({ "search-frontend": "same", "ci-tests": "same" });
    expect(mutatingRequests().length).toBe(mutatingBefore);

    stack.keys["ci-tests"] = { environment: "test", description: "CI, nightly" };
    expect(await stack.up()).toEqual({ "search-frontend": "same", "ci-tests": "update" });
    stack.keys["search-frontend"] = { displayName: "Search front end", environment: "live", privileges: [searchPrivilege], rotation: { trigger: "r1" } };
    expect(await stack.up()).toEqual({ "search-frontend": "replace", "ci-tests": "same" });
    const rolled = stack.outputs("search-frontend");
    expect(rolled.keyId).not.toBe(created.keyId);
    expect((await whoami(server, rolled.secret!)).body.keyId).toBe(rolled.keyId);
    expect((await whoami(server, created.secret!)).body.error.reason).toBe("REVOKED");
    expect((await keysOnServer()).map((k) => k.description)).toContain("CI, nightly");
  });

  test("a key with a lifetime is renewed before it expires: up replaces it with a new secret and a new expiry, the old one works through the grace", async () => {
    stack.keys = { "partner-feed": { displayName: "partner feed", lifetime: "P30D", rotation: { renewBeforeExpiry: "P7D", gracePeriodSeconds: 3600 } } };
    // The key is made 25 days ago in the server's time: it expires in 5 days.
    server.clock.advance(-25 * 86_400);
    expect(await stack.up()).toEqual({ "partner-feed": "create" });
    server.clock.advance(25 * 86_400);
    const first = stack.outputs("partner-feed");
    const [made] = await keysOnServer();
    expect(made).toMatchObject({ id: first.keyId, lifetime: "P30D" });
    expect(Date.parse(made.expiresAt) - Date.now()).toBeLessThan(5 * 86_400_000 + 60_000);

    expect(await stack.preview()).toEqual({ "partner-feed": "replace" });
    expect(await stack.up()).toEqual({ "partner-feed": "replace" });
    const renewed = stack.outputs("partner-feed");
    expect(renewed.keyId).not.toBe(first.keyId);
    const renewedKey = (await keysOnServer()).find((k) => k.id === renewed.keyId);
    expect(Date.parse(renewedKey.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await whoami(server, renewed.secret!)).status).toBe(200);
    // The old secret works through the grace period, then stops.
    expect((await whoami(server, first.secret!)).status).toBe(200);
    server.clock.advance(3601);
    expect((await whoami(server, first.secret!)).status).toBe(401);
    expect(await stack.preview()).toEqual({ "partner-feed": "same" });
  });

  test("a leaked key: the scanner's alert revokes it, refresh records why, the next up replaces it with a working successor", async () => {
    stack.keys = { checkout: { displayName: "checkout", privileges: [searchPrivilege] } };
    await stack.up();
    const leaked = stack.outputs("checkout");
    const body = JSON.stringify([
      { token: leaked.secret, type: "pulumi_apikeys_secret", url: "https://github.com/acme/shop/blob/main/.env", source: "content" },
    ]);
    const alert = await server.api("POST", "/v1/secret-scanning/alerts", { rawBody: body, headers: scanner.headers(body) });
    expect(alert.body).toEqual([expect.objectContaining({ label: "true_positive" })]);
    expect((await whoami(server, leaked.secret!)).body.error.reason).toBe("REVOKED");

    expect(await stack.refresh()).toEqual({ checkout: "update" });
    expect(stack.outputs("checkout")).toMatchObject({ keyId: leaked.keyId, revokedReason: "leaked" });
    expect(await stack.preview()).toEqual({ checkout: "replace" });
    expect(await stack.up()).toEqual({ checkout: "replace" });
    const successor = stack.outputs("checkout");
    expect(successor.keyId).not.toBe(leaked.keyId);
    expect(successor.revokedReason).toBeUndefined();
    expect((await whoami(server, successor.secret!)).body.keyId).toBe(successor.keyId);
    expect((await whoami(server, leaked.secret!)).status).toBe(401);
    expect(await stack.preview()).toEqual({ checkout: "same" });
  });

  test("a privilege change updates in place: same key, same secret, the new privileges", async () => {
    stack.keys = { search: { privileges: [searchPrivilege] } };
    await stack.up();
    const first = stack.outputs("search");
    stack.keys = { search: { privileges: [searchPrivilege, viewAll] } };
    expect(await stack.preview()).toEqual({ search: "update" });
    expect(await stack.up()).toEqual({ search: "update" });
    expect(stack.outputs("search")).toMatchObject({ keyId: first.keyId, secret: first.secret, privileges: [searchPrivilege, viewAll] });
    expect((await whoami(server, first.secret!)).body.privileges).toEqual([searchPrivilege, viewAll]);
  });

  test("a new rotation.trigger replaces: the new key is created before the old one is revoked, which works through the grace period", async () => {
    stack.keys = { search: { privileges: [searchPrivilege], rotation: { trigger: "2026-11", gracePeriodSeconds: 3600 } } };
    await stack.up();
    const first = stack.outputs("search");
    stack.keys = { search: { privileges: [searchPrivilege], rotation: { trigger: "2026-12", gracePeriodSeconds: 3600 } } };
    expect(await stack.up()).toEqual({ search: "replace" });
    const [oldId, newId] = [first.keyId, stack.outputs("search").keyId];
    expect(newId).not.toBe(oldId);
    const audit = (await server.api("GET", `/v1/organizations/${org.id}/audit`, { token: org.token })).body.items.map((e: any) => `${e.action} ${e.keyId}`);
    // After organization.create and token.create (the organization's first admin token).
    expect(audit.slice(2)).toEqual([`key.create ${oldId}`, `key.create ${newId}`, `key.revoke_scheduled ${oldId}`]);
    expect((await whoami(server, first.secret!)).status).toBe(200);
    server.clock.advance(3601);
    expect((await whoami(server, first.secret!)).body.error.reason).toBe("REVOKED");
    expect((await whoami(server, stack.outputs("search").secret!)).status).toBe(200);
  });

  test("the grace period declared with the rotation applies to it, even on a key that had none before; removing it revokes at once", async () => {
    stack.keys = { search: { privileges: [searchPrivilege] } };
    await stack.up();
    const first = stack.outputs("search");
    // The first rotation also declares the grace period: the old key must keep working through it.
    stack.keys = { search: { privileges: [searchPrivilege], rotation: { trigger: "2027-Q1", gracePeriodSeconds: 3600 } } };
    expect(await stack.up()).toEqual({ search: "replace" });
    const second = stack.outputs("search");
    expect(second.keyId).not.toBe(first.keyId);
    expect((await whoami(server, first.secret!)).status).toBe(200);
    server.clock.advance(3601);
    expect((await whoami(server, first.secret!)).body.error.reason).toBe("REVOKED");
    // And the other way: a rotation that drops the grace period revokes the old key at once.
    stack.keys = { search: { privileges: [searchPrivilege], rotation: { trigger: "2027-Q2" } } };
    expect(await stack.up()).toEqual({ search: "replace" });
    expect((await whoami(server, second.secret!)).body.error.reason).toBe("REVOKED");
  });

  test("drift: refresh drops a key deleted out of band and up recreates it; a key disabled out of band is re-enabled", async () => {
    stack.keys = { gone: {}, disabled: {} };
    await stack.up();
    const gone = stack.outputs("gone");
    const disabled = stack.outputs("disabled");
    await server.api("DELETE", `/v1/organizations/${org.id}/keys/${gone.keyId}`, { token: org.token });
    await server.api("PATCH", `/v1/organizations/${org.id}/keys/${disabled.keyId}`, { token: org.token, body: { enabled: false } });

    expect(await stack.refresh()).toEqual({ gone: "delete", disabled: "update" });
    expect(stack.outputs("disabled").enabled).toBe(false);
    expect(await stack.up()).toEqual({ gone: "create", disabled: "update" });
    expect(stack.outputs("gone").keyId).not.toBe(gone.keyId);
    expect(stack.outputs("disabled")).toMatchObject({ keyId: disabled.keyId, enabled: true });
    expect((await whoami(server, disabled.secret!)).status).toBe(200);
    expect(await keysOnServer()).toHaveLength(2);
  });

  test("adoptKeyId brings a key made outside Pulumi under management without replacing it; rollOnAdopt then gives the stack a secret of its own", async () => {
    const existing = (
      await server.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "legacy", privileges: [viewAll] } })
    ).body;
    stack.keys = { legacy: { displayName: "legacy", privileges: [searchPrivilege], adoptKeyId: existing.id } };
    expect(await stack.up()).toEqual({ legacy: "create" });
    expect(stack.outputs("legacy")).toMatchObject({ keyId: existing.id, secretAvailable: false });
    expect(await keysOnServer()).toHaveLength(1);
    expect((await whoami(server, existing.secret)).body.privileges).toEqual([searchPrivilege]);
    expect(await stack.up()).toEqual({ legacy: "same" });

    // Asked to hold a secret of its own: the next up rolls the adopted key in place (never replaces
    // it: a replacement would re-adopt the key and then delete it); the old secret works for the grace.
    stack.keys = {
      legacy: { displayName: "legacy", privileges: [searchPrivilege], adoptKeyId: existing.id, rotation: { rollOnAdopt: true, gracePeriodSeconds: 600 } },
    };
    expect(await stack.up()).toEqual({ legacy: "update" });
    expect(stack.outputs("legacy").keyId).toBe(existing.id);
    const ownSecret = stack.outputs("legacy").secret!;
    expect((await whoami(server, ownSecret)).body.keyId).toBe(existing.id);
    expect((await whoami(server, existing.secret)).status).toBe(200);
    server.clock.advance(601);
    expect((await whoami(server, existing.secret)).status).toBe(401);
    expect(await keysOnServer()).toHaveLength(1);
    // A later rotation also rolls in place: same key, a new secret.
    stack.keys = {
      legacy: { displayName: "legacy", privileges: [searchPrivilege], adoptKeyId: existing.id, rotation: { rollOnAdopt: true, trigger: "2027-01" } },
    };
    expect(await stack.up()).toEqual({ legacy: "update" });
    expect(stack.outputs("legacy").keyId).toBe(existing.id);
    expect((await whoami(server, stack.outputs("legacy").secret!)).body.keyId).toBe(existing.id);
    expect((await whoami(server, ownSecret)).status).toBe(401);
    expect(await keysOnServer()).toHaveLength(1);
  });

  test("destroy revokes every key", async () => {
    stack.keys = { a: {}, b: { environment: "live" } };
    await stack.up();
    const b = stack.outputs("b");
    await stack.destroy();
    expect(await keysOnServer()).toHaveLength(0);
    expect((await whoami(server, b.secret!)).body.error.reason).toBe("REVOKED");
  });
});

describe.each(DRIVER_KINDS)("a key server restart in the middle of an up, %s", (kind) => {
  test("creating 50 keys 8 at a time while the server restarts leaves no orphaned and no duplicated key", async () => {
    const database = await freshDatabaseUrl("sqlite");
    const rootToken = "rt_restart_test_root_token_0123456789";
    const logs: string[] = [];
    /** How many key creates reached the server. */
    const creates = () => logs.filter((l) => l.includes('"method":"POST"') && l.includes("/keys")).length;
    let tenthCreate: () => void = () => undefined;
    const tenCreates = new Promise<void>((resolve) => (tenthCreate = resolve));
    const start = (port = 0) =>
      startServer({
        databaseUrl: database.url,
        rootToken,
        port,
        log: (line) => {
          logs.push(JSON.stringify(line));
          // Restart once some keys exist and more are on their way (the log line is written as a create is answered).
          if (creates() >= 10) tenthCreate();
        },
      });
    let server: RunningServer = await start();
    const port = server.port;
    const org = (await callApi(server.url, "POST", "/v1/organizations", { token: rootToken, body: { name: "acme" } })).body;
    // The retry budget must outlast the restart: with full jitter, 6 attempts from a 50 ms base can all
    // land within a few hundred milliseconds; a 250 ms base and 10 attempts cannot.
    const options: DriverOptions = {
      config: { endpoint: server.url, organizationId: org.id, token: org.token },
      env: { APIKEYS_RETRY_BASE_MS: "250", APIKEYS_RETRY_MAX_MS: "4000", APIKEYS_MAX_ATTEMPTS: "10" },
    };
    const stack = new LifecycleStack(providerDriver(kind, options));
    try {
      stack.keys = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key-${i}`, { description: `key ${i}` }]));
      const up = stack.up({ parallel: 8 });
      await tenCreates;
      await server.close();
      const createsBeforeRestart = creates();
      // Down for a moment: creates in flight meet a closed port and are retried.
      await new Promise((r) => setTimeout(r, 300));
      server = await start(port);
      const steps = await up;
      expect(createsBeforeRestart).toBeLessThan(50);
      // The restarted server made the rest: the restart fell in the middle of the up.
      expect(creates()).toBeGreaterThan(createsBeforeRestart);
      expect(Object.values(steps)).toEqual(Array(50).fill("create"));

      const listed = (await callApi(server.url, "GET", `/v1/organizations/${org.id}/keys?limit=200`, { token: org.token })).body.items.map(
        (k: { id: string }) => k.id,
      );
      const inState = [...stack.state.values()].map((s) => s.outputs.keyId);
      expect(listed).toHaveLength(50);
      expect([...listed].sort()).toEqual([...inState].sort());
      for (const name of Object.keys(stack.keys).slice(0, 5)) {
        const who = await whoami(server, stack.outputs(name).secret!);
        expect(who.body.keyId).toBe(stack.outputs(name).keyId);
      }
    } finally {
      await stack.driver.close();
      await server.close();
      await database.drop();
    }
  });
});

describe.each(DRIVER_KINDS)("the provider's lifecycle on the vendors' APIs (contract emulators), %s", (kind: DriverKind) => {
  let coveo: CoveoEmulator;
  let didomi: DidomiEmulator;
  const stacks: LifecycleStack[] = [];
  beforeAll(async () => {
    coveo = await CoveoEmulator.start({ organizationId: "storefrontprod", accessToken: "coveo-oauth-token-e2e" });
    didomi = await DidomiEmulator.start({ organizationId: "storefront-org", apiKey: "pulumi-key", apiSecret: "didomi-e2e-secret" });
  });
  afterEach(async () => {
    for (const s of stacks.splice(0)) await s.driver.close();
    coveo.keys.clear();
    didomi.keys.clear();
  });
  afterAll(async () => Promise.all([coveo?.close(), didomi?.close()]));

  /** A stack whose provider is configured for one of the emulators (`apikeys:backend` and its connection), on the given clock. */
  const vendorStack = (backend: "coveo" | "didomi", now?: () => Date) => {
    const config =
      backend === "coveo"
        ? { backend, endpoint: coveo.url, organizationId: "storefrontprod", token: "coveo-oauth-token-e2e" }
        : { backend, endpoint: didomi.url, organizationId: "storefront-org", token: "pulumi-key:didomi-e2e-secret" };
    const stack = new LifecycleStack(providerDriver(kind, { config, now }));
    stacks.push(stack);
    return stack;
  };

  test.each(["coveo", "didomi"] as const)("create → read → update → roll → delete on %s", async (backend) => {
    const stack = vendorStack(backend);
    const stored = (id: string) => (backend === "coveo" ? coveo.keys.get(id)?.value : didomi.keys.get(id)?.secret);
    stack.keys = { sync: { displayName: "sync", description: "first" } };
    expect(await stack.up()).toEqual({ sync: "create" });
    const created = stack.outputs("sync");
    expect(stored(created.keyId)).toBe(created.secret);
    if (kind === "native") expect(isSecret(stack.state.get("sync")!.wire.outputs.secret)).toBe(true);
    await stack.refresh();
    expect(stack.outputs("sync")).toMatchObject({ keyId: created.keyId, secret: created.secret });
    expect(await stack.preview()).toEqual({ sync: "same" });

    stack.keys = { sync: { displayName: "sync", description: "second" } };
    expect(await stack.up()).toEqual({ sync: "update" });
    expect(stack.outputs("sync")).toMatchObject({ keyId: created.keyId, secret: created.secret, description: "second" });

    // Both APIs rotate: a new key and secret in an update, never a replacement.
    stack.keys = { sync: { displayName: "sync", description: "second", rotation: { trigger: "r1" } } };
    expect(await stack.up()).toEqual({ sync: "update" });
    const rolled = stack.outputs("sync");
    expect(rolled.keyId).not.toBe(created.keyId);
    expect(stored(rolled.keyId)).toBe(rolled.secret);
    await stack.destroy();
    expect(stored(rolled.keyId)).toBeUndefined();
  });

  test("a key Coveo reports exposed: refresh records it, the next up rotates it with the grace cut short of the deactivation date", async () => {
    const stack = vendorStack("coveo");
    const week = 7 * 86_400;
    stack.keys = { "search-page": { displayName: "search page", privileges: [searchPrivilege], rotation: { onExposure: true, gracePeriodSeconds: week } } };
    await stack.up();
    const exposed = stack.outputs("search-page");

    // Coveo's secret scanning finds the key in a public repository; it deactivates it in two days.
    const deactivationDate = Date.now() + 2 * 86_400_000;
    const url = "https://github.com/acme/storefront/blob/main/.env";
    coveo.reportExposure(exposed.keyId, { severity: "HIGH", source: "GITHUB", url, deactivationDate });
    // Without a refresh the state knows nothing yet.
    expect(await stack.preview()).toEqual({ "search-page": "same" });
    expect(await stack.refresh()).toEqual({ "search-page": "update" });
    expect(stack.outputs("search-page").exposure).toMatchObject({ severity: "HIGH", reasons: [{ source: "GITHUB", url }] });
    expect(await stack.preview()).toEqual({ "search-page": "update" });

    expect(await stack.up()).toEqual({ "search-page": "update" });
    const rotated = stack.outputs("search-page");
    expect(rotated.keyId).not.toBe(exposed.keyId);
    expect(rotated.exposure).toBeUndefined();
    expect(coveo.keys.get(rotated.keyId)!.value).toBe(rotated.secret);
    // The old secret works on, but not for the week asked: only until Coveo deactivates it.
    const old = coveo.keys.get(exposed.keyId)!;
    expect(old.expirationDate!).toBeLessThanOrEqual(deactivationDate + 1000);
    expect(old.expirationDate!).toBeGreaterThan(Date.now() + 86_400_000);
    // The new secret is not the exposed one: nothing is left to do.
    expect(await stack.preview()).toEqual({ "search-page": "same" });
    await stack.destroy();
    // The rotated-out key is Coveo's to expire (on its deactivation date).
    expect([...coveo.keys.keys()]).toEqual([exposed.keyId]);
  });

  test("two-slot rotation on Didomi: both keys work through the grace period, the next up after it deletes the old one, and destroy in between leaves nothing", async () => {
    const clock = new TestClock();
    const stack = vendorStack("didomi", clock.now);
    stack.keys = { sync: { displayName: "consent sync", rotation: { trigger: "a", gracePeriodSeconds: 2 } } };
    await stack.up();
    const first = stack.outputs("sync").keyId;

    stack.keys = { sync: { displayName: "consent sync", rotation: { trigger: "b", gracePeriodSeconds: 2 } } };
    expect(await stack.preview()).toEqual({ sync: "update" });
    expect(await stack.up()).toEqual({ sync: "update" });
    const second = stack.outputs("sync").keyId;
    expect(second).not.toBe(first);
    expect([...didomi.keys.keys()].sort()).toEqual([first, second].sort());
    expect(didomi.keys.get(second)!.secret).toBe(stack.outputs("sync").secret);
    expect(stack.outputs("sync").pendingRevocations).toEqual([{ keyId: first, revokeAfter: expect.any(String) }]);

    // Past the grace period: the preview shows the pending deletion, the up carries it out.
    expect(await stack.preview()).toEqual({ sync: "same" });
    clock.advance(3);
    expect(await stack.preview()).toEqual({ sync: "update" });
    expect(await stack.up()).toEqual({ sync: "update" });
    expect([...didomi.keys.keys()]).toEqual([second]);
    expect(await stack.preview()).toEqual({ sync: "same" });

    // Rotated again with a long grace, then destroyed: the old key goes too.
    stack.keys = { sync: { displayName: "consent sync", rotation: { trigger: "c", gracePeriodSeconds: 3600 } } };
    await stack.up();
    expect(didomi.keys.size).toBe(2);
    await stack.destroy();
    expect(didomi.keys.size).toBe(0);
  });
});
