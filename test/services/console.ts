import { ensureServices } from "./ensureServices";

/** The console project's global setup: Chromium, and PostgreSQL for a server on either database. */
export default function setup(): void {
  ensureServices(["APIKEYS_TEST_POSTGRES_URL", "APIKEYS_TEST_CHROMIUM"]);
}
