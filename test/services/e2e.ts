import { ensureServices } from "./ensureServices";

/** The engine project's global setup: PostgreSQL (stacks on either database) and Python (Python stacks). */
export default function setup(): void {
  ensureServices(["APIKEYS_TEST_POSTGRES_URL", "APIKEYS_TEST_PYTHON_BIN"]);
}
