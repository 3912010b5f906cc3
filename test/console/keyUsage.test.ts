// The page.evaluate callbacks run in the browser, with its DOM types.
/// <reference lib="dom" />
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { repoRoot } from "../helpers/engine";
import { chromiumPath, keyRow, signIn } from "./consolePage";
import { whoami } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/testServer";

jest.setTimeout(60_000);

const screenshotDir = join(repoRoot, "test", ".artifacts", "screenshots");
const DAY_S = 86_400;

/**
 * The keys list for an access review, in a real browser against the real server: when each key was
 * last used and how old its secret is, a filter for keys unused for N days, and the page's notice.
 */
describe("key usage in the console", () => {
  let server: TestServer;
  let org: { id: string; token: string };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const keysPath = () => `/v1/organizations/${org.id}/keys`;
  const create = async (displayName: string) =>
    (await server.api("POST", keysPath(), { token: org.token, body: { displayName, environment: "live", privileges: [] } })).body as {
      id: string;
      secret: string;
    };

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
  });
  afterAll(async () => browser?.close());

  beforeEach(async () => {
    server = await startTestServer("sqlite");
    org = await server.createOrganization("Storefront");
    // Two keys made 40 days ago in the server's time; one is rolled and used today, one never used.
    server.clock.advance(-40 * DAY_S);
    await create("Nightly export");
    const partner = await create("Partner feed");
    server.clock.advance(40 * DAY_S);
    const rolled = await server.api("POST", `${keysPath()}/${partner.id}/roll`, { token: org.token, body: { gracePeriodSeconds: 0 } });
    expect((await whoami(server, rolled.body.secret)).status).toBe(200);
    const search = await create("Search front end");
    expect((await whoami(server, search.secret)).status).toBe(200);

    context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    page = await context.newPage();
    await signIn(page, server.url, org.token);
    await page.getByRole("table", { name: "live API keys" }).waitFor();
  });
  afterEach(async () => {
    await context.close();
    await server.close();
  });

  const row = (name: string) => keyRow(page, name);
  const columnText = async (name: string, column: string) => {
    const headers = await page.getByRole("columnheader").allInnerTexts();
    return (
      await row(name)
        .getByRole("cell")
        .nth(headers.indexOf(column) - 1)
        .innerText()
    )
      .replace(/\s+/g, " ")
      .trim();
  };

  test("each key shows when it was last used and how old its secret is (its last roll, from the audit log)", async () => {
    await page.getByRole("columnheader", { name: "Secret age" }).waitFor();
    await row("Nightly export")
      .getByText(/^40 days$/)
      .waitFor();
    expect(await columnText("Nightly export", "Last used")).toBe("never created 40 days ago");
    expect(await columnText("Partner feed", "Secret age")).toMatch(/^0 days since \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    expect(await columnText("Partner feed", "Last used")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC today$/);
    expect(await columnText("Search front end", "Last used")).toMatch(/today$/);
    await page.screenshot({ path: join(screenshotDir, "key-usage.png") });
  });

  test('"Unused for at least N days" narrows the list, says how many, and survives a redraw', async () => {
    const filter = page.getByLabel("Unused for at least");
    await filter.fill("30");
    await page.getByText("1 of 3 keys unused for 30 days or more.").waitFor();
    expect(await page.getByRole("rowheader").allInnerTexts()).toEqual([expect.stringContaining("Nightly export")]);
    await filter.fill("");
    expect(await page.getByRole("rowheader").count()).toBe(3);
    expect(await page.locator("#unused-count").innerText()).toBe("");

    await filter.fill("30");
    await row("Nightly export").getByRole("button", { name: "Disable Nightly export" }).click();
    await page.getByRole("status").getByText('Disabled "Nightly export".').waitFor();
    expect(await page.getByLabel("Unused for at least").inputValue()).toBe("30");
    expect(await page.getByRole("rowheader").allInnerTexts()).toEqual([expect.stringContaining("Nightly export")]);
  });

  test("a notice is one live region (role=status, aria-live) kept across redraws, in the page's column below the header", async () => {
    // Marked before the action: the same element must carry the message, not a new one inserted with it.
    await page.evaluate(() => {
      (document.getElementById("notice") as HTMLElement & { marked?: boolean }).marked = true;
    });
    await row("Search front end").getByRole("button", { name: "Disable Search front end" }).click();
    const notice = page.getByRole("status").filter({ hasText: 'Disabled "Search front end".' });
    await notice.waitFor();
    expect(await notice.evaluate((e) => [e.id, e.getAttribute("aria-live"), e.getAttribute("aria-atomic"), (e as { marked?: boolean }).marked])).toEqual([
      "notice",
      "polite",
      "true",
      true,
    ]);
    const box = (await notice.boundingBox())!;
    const header = (await page.locator("header").boundingBox())!;
    const heading = (await page.getByRole("heading", { name: "Live keys" }).boundingBox())!;
    const table = (await page.getByRole("table", { name: "live API keys" }).boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(header.y + header.height);
    expect(box.y + box.height).toBeLessThanOrEqual(heading.y);
    expect(Math.abs(box.x - table.x)).toBeLessThan(1);
    expect(Math.abs(box.width - table.width)).toBeLessThan(1);
    // Styled as a notice, not bare text.
    expect(await notice.evaluate((e) => getComputedStyle(e).borderLeftWidth)).toBe("4px");
    await page.screenshot({ path: join(screenshotDir, "notice.png") });

    // An empty notice takes no room; the same message again is announced again (emptied, then filled).
    await page.getByRole("navigation", { name: "Views" }).getByRole("button", { name: "Keys" }).click();
    await page.waitForFunction(() => document.getElementById("notice")!.textContent === "");
    expect((await page.locator("#notice").boundingBox())!.height).toBe(0);
    await row("Search front end").getByRole("button", { name: "Enable Search front end" }).click();
    await page.getByRole("status").getByText('Enabled "Search front end".').waitFor();
  });
});
