import { request } from "node:http";
import type { Privilege } from "../../shared/privilege";
import { callApi, startTestServer, type ApiAnswer, type DatabaseKind, type TestServer } from "./testServer";

/**
 * What many test files need and used to write out each time. Read this file first: a test that
 * says `whoami(t, key.secret)` or `[searchPrivilege]` means exactly what is written here.
 */

/**
 * The everyday privilege of a key in these tests: run search queries (no risk in the catalogue).
 * Frozen: many tests share this one object, so code that changed it in place would throw here
 * instead of changing what every later test means by it.
 */
export const searchPrivilege = Object.freeze({ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" } satisfies Privilege);

/** An organization made through the API, with its first admin token. */
export interface TestOrganization {
  readonly id: string;
  readonly token: string;
}

/**
 * Verifies a key the way our users' systems do: `GET /v1/whoami` with `Authorization: Api-Key <secret>`,
 * at any server with a `url` (a `TestServer`, a `RunningServer`, or `{ url }`).
 */
export function whoami(server: { readonly url: string }, secret: string): Promise<ApiAnswer> {
  return callApi(server.url, "GET", "/v1/whoami", { headers: { authorization: `Api-Key ${secret}` } });
}

/** The status of one GET from a chosen loopback source address (127.0.0.0/8 is all ours), with the given headers. */
export function statusFrom(server: { readonly url: string }, localAddress: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { localAddress, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode!));
    });
    req.on("error", reject);
    req.end();
  });
}

/** `whoami` from a chosen loopback source address, with extra headers (e.g. X-Forwarded-For): the status only. */
export function verifyFrom(server: { readonly url: string }, localAddress: string, secret: string, headers: Record<string, string> = {}): Promise<number> {
  return statusFrom(server, localAddress, "/v1/whoami", { authorization: `Api-Key ${secret}`, ...headers });
}

/**
 * The organization's keys that are not revoked, as `GET /v1/organizations/{id}/keys?limit=200` lists
 * them (one page: the largest the API gives), asked with `token` (the organization's first admin token
 * unless the test rotated it).
 */
export async function liveKeys(t: Pick<TestServer, "api">, org: TestOrganization, token = org.token): Promise<Array<{ id: string; status: string }>> {
  const listed = await t.api("GET", `/v1/organizations/${org.id}/keys?limit=200`, { token });
  return (listed.body.items as Array<{ id: string; status: string }>).filter((k) => k.status !== "revoked");
}

/**
 * What a `pulumi preview --json` would do to each API key, by resource name (`{ search: "update" }`):
 * the steps whose URN names an ApiKey type, the stack and the providers left out.
 */
export function resourceOps(previewJson: { steps: Array<{ urn: string; op: string }> }): Record<string, string> {
  return Object.fromEntries(previewJson.steps.filter((s) => s.urn.includes("ApiKey")).map((s) => [s.urn.split("::").pop(), s.op]));
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
