import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { repoRoot } from "../helpers/engine";

/** Debian's Chromium (scripts/ensure-chromium.sh); missing is a failure, never a skip. */
export function chromiumPath(): string {
  return process.env.APIKEYS_TEST_CHROMIUM ?? execFileSync("bash", [join(repoRoot, "scripts", "ensure-chromium.sh")], { encoding: "utf8" }).trim();
}

/** Opens the console at `url` and signs in with `token` as a user would: the sign-in form, then its button. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel("Organization token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The keys table's row whose header (the key's name) matches `name`. */
export function keyRow(page: Page, name: string) {
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(name) }) });
}
