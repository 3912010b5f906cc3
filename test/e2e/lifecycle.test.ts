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

  // The renewal's up (a new secret with a new expiry, the old one through the grace): test/provider/lifecycle.test.ts.
  test("a key with a lifetime is renewed before it expires: preview shows the replacement and the review how soon it expires", async () => {
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
    expect(stack.exportedState()).not.toContain(firstSecret);
  });

  // The up that replaces the leaked key with a working successor: test/provider/lifecycle.test.ts.
  test("a leaked key: the scanner's alert revokes it, refresh records why, preview and the review show the replacement", async () => {
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
    expect((await stack.resources()).find((r) => r.urn.endsWith("::checkout"))).toMatchObject({ id: leakedId, outputs: { revokedReason: "leaked" } });
  });

  // The in-place update itself (same key, same secret, the new privileges): test/provider/lifecycle.test.ts.
  test("a privilege change previews by name as an update", async () => {
    stack.keys = { search: { privileges: [searchPrivilege] } };
    await stack.up();
    stack.keys = { search: { privileges: [searchPrivilege, viewAll] } };
    const preview = await stack.preview({ diff: true });
    expect(preview.changeSummary).toMatchObject({ update: 1 });
    expect(preview.stdout).toContain("VIEW_ALL_CONTENT");
  });

  // Moved to test/provider/lifecycle.test.ts (the provider's own behaviour, on both drivers): a new
  // rotation.trigger replaces (create before revoke, the grace); the grace declared with the rotation;
  // drift (refresh drops a key deleted out of band, re-enables a disabled one); adoptKeyId and
  // rollOnAdopt; destroy revokes every key.

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
