// The page.evaluate callbacks run in the browser, with its DOM types.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { repoRoot } from "../helpers/engine";
import { chromiumPath, keyRow, signIn } from "./consolePage";
import { searchPrivilege, whoami } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/testServer";

jest.setTimeout(60_000);

/**
 * Screenshots go to the ignored test/.artifacts, so a test run leaves the checkout clean; the ones
 * the docs show (docs/screenshots) are refreshed on purpose with APIKEYS_UPDATE_SCREENSHOTS=1.
 */
const screenshotDir =
  process.env.APIKEYS_UPDATE_SCREENSHOTS === "1" ? join(repoRoot, "docs", "screenshots") : join(repoRoot, "test", ".artifacts", "screenshots");
const screenshot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir, `${name}.png`) });

describe("the key console in a real browser", () => {
  let server: TestServer;
  let org: { id: string; token: string };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const keysPath = () => `/v1/organizations/${org.id}/keys`;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
  });
  afterAll(async () => browser?.close());

  beforeEach(async () => {
    server = await startTestServer("sqlite");
    org = await server.createOrganization("Storefront");
    const managed = { "managed-by": "pulumi", "pulumi:project": "storefront", "pulumi:stack": "prod", "pulumi:resource": "search-frontend" };
    await server.api("POST", keysPath(), {
      token: org.token,
      body: {
        displayName: "Search front end",
        environment: "live",
        privileges: [searchPrivilege],
        metadata: managed,
      },
    });
    await server.api("POST", keysPath(), { token: org.token, body: { displayName: "Hand-made support key", environment: "live", privileges: [] } });
    await server.api("POST", keysPath(), { token: org.token, body: { displayName: "CI integration tests", environment: "test", privileges: [] } });
    context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    page = await context.newPage();
    await signIn(page, server.url, org.token);
    await page.getByRole("table", { name: "live API keys" }).waitFor();
  });
  afterEach(async () => {
    await context.close();
    await server.close();
  });

  const row = (name: string) => keyRow(page, name);

  test("create -> one-time reveal -> copy -> close leaves no secret in the page -> revoke", async () => {
    await screenshot(page, "key-list");
    await page.getByRole("button", { name: "Create API key" }).click();
    const dialog = page.getByRole("dialog", { name: "Create a live API key" });
    await dialog.getByLabel("Name").fill("Checkout service");
    await dialog.getByLabel("Description").fill("Payments team");
    await dialog.getByLabel("Privileges").fill("SEARCH_API/EXECUTE_QUERY/ENABLE\nSEARCH_API/IMPERSONATE/ENABLE");
    await dialog.getByRole("button", { name: "Create key" }).click();

    const reveal = page.getByRole("dialog", { name: /Secret for "Checkout service"/ });
    await reveal.getByText(/It will not be shown again/).waitFor();
    const secret = await reveal.getByLabel("Secret").inputValue();
    expect(secret).toMatch(/^ak_live_/);
    await screenshot(page, "reveal-secret");
    await reveal.getByRole("button", { name: "Copy" }).click();
    await reveal.getByText("Copied to the clipboard.").waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const who = await whoami(server, secret);
    expect(who.body.privileges).toHaveLength(2);

    await reveal.getByRole("button", { name: "I have stored it" }).click();
    await row("Checkout service").waitFor();
    // The privilege risk catalogue the review and the policy pack use marks it in the list.
    const badge = row("Checkout service").getByText("high risk");
    expect(await badge.getAttribute("title")).toBe("SEARCH_API/IMPERSONATE/ENABLE: can run queries as any user, seeing what they may see");
    expect(await row("Search front end").getByText("high risk").count()).toBe(0);
    // Gone from the page: no element, no attribute, no input value, no storage, no cookie holds it.
    const inPage = await page.evaluate((s) => {
      const values = [...document.querySelectorAll("input, textarea")].map((e) => (e as HTMLInputElement).value);
      return {
        html: document.documentElement.outerHTML.includes(s),
        inputs: values.some((v) => v.includes(s)),
        dialogs: document.querySelectorAll("dialog").length,
        storage: localStorage.length + sessionStorage.length,
        cookies: document.cookie,
      };
    }, secret);
    expect(inPage).toEqual({ html: false, inputs: false, dialogs: 0, storage: 0, cookies: "" });
    await page.evaluate(() => navigator.clipboard.writeText(""));

    const id = await row("Checkout service").getAttribute("data-key-id");
    await row("Checkout service").getByRole("button", { name: "Revoke Checkout service" }).click();
    const confirm = page.getByRole("dialog", { name: 'Revoke "Checkout service"?' });
    await screenshot(page, "revoke-confirm");
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("status").getByText('Revoked "Checkout service".').waitFor();
    expect(await row("Checkout service").count()).toBe(0);
    expect((await server.api("GET", `${keysPath()}/${id}`, { token: org.token })).status).toBe(404); // revoked keys answer 404
    expect((await whoami(server, secret)).status).toBe(401);
  });

  test("the environment switch shows one environment's keys at a time", async () => {
    const live = page.getByRole("group", { name: "Environment" }).getByRole("button", { name: "Live" });
    const testEnv = page.getByRole("group", { name: "Environment" }).getByRole("button", { name: "Test" });
    expect(await live.getAttribute("aria-pressed")).toBe("true");
    expect(await row("CI integration tests").count()).toBe(0);
    await testEnv.click();
    await page.getByRole("table", { name: "test API keys" }).waitFor();
    expect(await testEnv.getAttribute("aria-pressed")).toBe("true");
    expect(await row("CI integration tests").count()).toBe(1);
    expect(await row("Search front end").count()).toBe(0);
    await screenshot(page, "test-environment");
    // A key created here is a test key.
    await page.getByRole("button", { name: "Create API key" }).click();
    await page.getByRole("dialog", { name: "Create a test API key" }).getByLabel("Name").fill("Load test");
    await page.getByRole("button", { name: "Create key" }).click();
    expect(await page.getByRole("dialog").getByLabel("Secret").inputValue()).toMatch(/^ak_test_/);
  });

  test("a key managed by a stack is marked, and editing it by hand asks first and says why", async () => {
    await expect(row("Search front end").getByText("Managed by stack storefront/prod").count()).resolves.toBe(1);
    expect(
      await row("Hand-made support key")
        .getByText(/Managed by stack/)
        .count(),
    ).toBe(0);
    const id = (await row("Search front end").getAttribute("data-key-id"))!;

    await row("Search front end").getByRole("button", { name: "Disable Search front end" }).click();
    const warning = page.getByRole("dialog", { name: "This key is managed by a Pulumi stack" });
    await warning.getByText(/The next `pulumi up` will undo a change made here/).waitFor();
    await screenshot(page, "managed-by-stack-warning");
    await warning.getByRole("button", { name: "Cancel" }).click();
    expect((await server.api("GET", `${keysPath()}/${id}`, { token: org.token })).body.enabled).toBe(true);

    await row("Search front end").getByRole("button", { name: "Disable Search front end" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Disable anyway" }).click();
    await page.getByRole("status").getByText('Disabled "Search front end".').waitFor();
    expect((await server.api("GET", `${keysPath()}/${id}`, { token: org.token })).body.enabled).toBe(false);

    // A hand-made key is edited without the warning.
    await row("Hand-made support key").getByRole("button", { name: "Disable Hand-made support key" }).click();
    await page.getByRole("status").getByText('Disabled "Hand-made support key".').waitFor();
  });

  test("roll with a grace period reveals the new secret; the audit log lists what happened; keyboard only", async () => {
    await row("Hand-made support key").getByRole("button", { name: "Roll Hand-made support key" }).click();
    const roll = page.getByRole("dialog", { name: 'Roll "Hand-made support key"' });
    await roll.getByLabel("Grace period (hours)").fill("2");
    await roll.getByRole("button", { name: "Roll key" }).click();
    const secret = await page.getByRole("dialog").getByLabel("Secret").inputValue();
    expect(secret).toMatch(/^ak_live_/);
    // Escape closes the reveal dialog like the button does, and the secret goes with it.
    await page.keyboard.press("Escape");
    await page.getByRole("status").getByText('Rolled "Hand-made support key".').waitFor();
    expect(await page.evaluate((s) => document.documentElement.outerHTML.includes(s), secret)).toBe(false);

    await page.getByRole("button", { name: "Audit log" }).focus();
    await page.keyboard.press("Enter");
    const audit = page.getByRole("table", { name: "Audit log" });
    await audit.waitFor();
    expect(await audit.getByRole("cell", { name: "key.roll" }).count()).toBe(1);
    expect(await audit.getByRole("cell", { name: "key.create" }).count()).toBe(3);
    expect(await audit.textContent()).not.toContain(secret);
    await screenshot(page, "audit-log");
  });

  test("signed in with a token that expires, a token issued with no expiry date gets the signed-in token's expiry", async () => {
    const expiring = await server.api("POST", `/v1/organizations/${org.id}/tokens`, {
      token: org.token,
      body: { name: "expiring admin", scope: "manage", expiresAt: "2098-03-15T00:00:00.000Z" },
    });
    expect(expiring.status).toBe(201);
    const fresh = await context.newPage();
    await signIn(fresh, server.url, expiring.body.token);
    await fresh.getByRole("button", { name: "Admin tokens" }).click();
    await fresh.getByRole("button", { name: "Issue admin token" }).click();
    const dialog = fresh.getByRole("dialog", { name: "Issue an admin token" });
    await dialog.getByLabel("Name").fill("issued-without-expiry");
    await dialog.getByRole("button", { name: "Issue token" }).click();
    await fresh
      .getByRole("dialog", { name: /Secret for "issued-without-expiry"/ })
      .getByRole("button", { name: "I have stored it" })
      .click();
    const issued = fresh.getByRole("row").filter({ hasText: "issued-without-expiry" });
    await issued.waitFor();
    expect(await issued.textContent()).toContain("2098-03-15");
    await fresh.close();
  });

  test("admin tokens: issue with a one-time reveal, list without secrets, revoke takes effect, revoking its own token signs out", async () => {
    await page.getByRole("button", { name: "Admin tokens" }).click();
    const table = page.getByRole("table", { name: "Admin tokens" });
    await table.waitFor();
    // The organization's first token is the one this console signed in with.
    await row("initial admin token").getByText("This console").waitFor();

    await page.getByRole("button", { name: "Issue admin token" }).click();
    const dialog = page.getByRole("dialog", { name: "Issue an admin token" });
    await dialog.getByLabel("Name").fill("ci-deploy");
    await dialog.getByLabel("Description").fill("GitHub Actions, storefront repo");
    await dialog.getByLabel("Scope").selectOption("read");
    await dialog.getByLabel("Expires on (optional)").fill("2099-01-31");
    await dialog.getByRole("button", { name: "Issue token" }).click();
    const reveal = page.getByRole("dialog", { name: /Secret for "ci-deploy"/ });
    const issued = await reveal.getByLabel("Secret").inputValue();
    await screenshot(page, "token-reveal");
    await reveal.getByRole("button", { name: "I have stored it" }).click();
    await page.getByRole("status").getByText('Issued token "ci-deploy".').waitFor();
    await row("ci-deploy").waitFor();
    expect(await row("ci-deploy").textContent()).toContain("read");
    expect(await row("ci-deploy").textContent()).toContain("2099-01-31");
    expect(await page.evaluate((s) => document.documentElement.outerHTML.includes(s), issued)).toBe(false);
    await screenshot(page, "token-list");

    // The issued token works, read-only, until revoked from here.
    expect((await server.api("GET", keysPath(), { token: issued })).status).toBe(200);
    expect((await server.api("POST", keysPath(), { token: issued, body: { displayName: "x", environment: "live", privileges: [] } })).status).toBe(403);
    await row("ci-deploy").getByRole("button", { name: "Revoke ci-deploy" }).click();
    await page.getByRole("dialog", { name: 'Revoke "ci-deploy"?' }).getByRole("button", { name: "Revoke token" }).click();
    await page.getByRole("status").getByText('Revoked token "ci-deploy".').waitFor();
    expect(await row("ci-deploy").getByText("revoked").count()).toBe(1);
    expect((await server.api("GET", keysPath(), { token: issued })).status).toBe(401);

    // Revoking the console's own token warns first, then signs out; the token is refused after.
    await row("initial admin token").getByRole("button", { name: "Revoke initial admin token" }).click();
    const confirm = page.getByRole("dialog", { name: 'Revoke "initial admin token"?' });
    await confirm.getByText(/This is the token this console is signed in with/).waitFor();
    await confirm.getByRole("button", { name: "Revoke token" }).click();
    await page.getByLabel("Organization token").waitFor();
    await page
      .getByRole("status")
      .getByText(/the token this console was signed in with/)
      .waitFor();
    expect((await server.api("GET", keysPath(), { token: org.token })).status).toBe(401);
  });

  test("a wrong token is refused with the server's message; the page is served with a strict CSP", async () => {
    const fresh = await context.newPage();
    const response = await fresh.goto(server.url);
    expect(response!.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(response!.headers()["x-frame-options"]).toBe("DENY");
    await fresh.getByLabel("Organization token").fill("ot_not_a_real_token");
    await fresh.getByRole("button", { name: "Sign in" }).click();
    await fresh
      .getByRole("alert")
      .getByText(/the bearer token was refused/)
      .waitFor();
  });
});
