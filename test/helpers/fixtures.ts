import type { Privilege } from "../../shared/privilege";
import { startTestServer, type ApiAnswer, type DatabaseKind, type TestServer } from "./testServer";

/**
 * What many test files need and used to write out each time. Read this file first: a test that
 * says `whoami(t, key.secret)` or `[searchPrivilege]` means exactly what is written here.
 */

/** The everyday privilege of a key in these tests: run search queries (no risk in the catalogue). */
export const searchPrivilege = { owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" } satisfies Privilege;

/** An organization made through the API, with its first admin token. */
export interface TestOrganization {
  readonly id: string;
  readonly token: string;
}

/** Verifies a key the way our users' systems do: `GET /v1/whoami` with `Authorization: Api-Key <secret>`. */
export function whoami(t: Pick<TestServer, "api">, secret: string): Promise<ApiAnswer> {
  return t.api("GET", "/v1/whoami", { headers: { authorization: `Api-Key ${secret}` } });
}

/**
 * A fresh server on a fresh database with one organization (named "acme"), the setup most server
 * tests start from. Close the server after the test (`t.close()`):
 *
 *     beforeEach(async () => ({ t, org } = await startServerWithOrganization("sqlite")));
 *     afterEach(async () => t.close());
 */
export async function startServerWithOrganization(
  kind: DatabaseKind,
  options: Parameters<typeof startTestServer>[1] = {},
): Promise<{ t: TestServer; org: TestOrganization }> {
  const t = await startTestServer(kind, options);
  try {
    return { t, org: await t.createOrganization() };
  } catch (error) {
    await t.close();
    throw error;
  }
}
