import { ensureServices } from "./ensureServices";

/** The unit project's global setup: PostgreSQL for the server's suites, Python for the OpenAPI fuzz test. */
export default function setup(): void {
  ensureServices(["APIKEYS_TEST_POSTGRES_URL", "APIKEYS_TEST_PYTHON_BIN"]);
}
