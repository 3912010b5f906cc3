import { ApiKeyProvider } from "../../provider";
import { UNKNOWN } from "../../provider/keyState/unknowns";
import { searchPrivilege } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/testServer";

const now = new Date("2026-11-23T12:00:00Z");
const env = { APIKEYS_ENDPOINT: "http://127.0.0.1:1", APIKEYS_ORGANIZATION_ID: "org_x", APIKEYS_TOKEN: "at_x" };
const provider = new ApiKeyProvider({ env, now: () => now });
const valid = { displayName: "search", privileges: [searchPrivilege] };

describe("check", () => {
  test("fills defaults and normalizes privileges (order, duplicates in targetIds)", async () => {
    const result = await provider.check(
      {},
      {
        displayName: "search",
        privileges: [
          { owner: "SEARCH_API", targetDomain: "VIEW_ALL", type: "VIEW", targetIds: ["b", "a", "b"] },
          { owner: "ANALYTICS", targetDomain: "DATA", type: "VIEW" },
        ],
        expiresAt: "2027-01-31T01:00:00+01:00",
      },
    );
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({
      displayName: "search",
      description: "",
      environment: "test",
      enabled: true,
      expiresAt: "2027-01-31T00:00:00.000Z",
      privileges: [
        { owner: "ANALYTICS", targetDomain: "DATA", type: "VIEW" },
        { owner: "SEARCH_API", targetDomain: "VIEW_ALL", type: "VIEW", targetIds: ["a", "b"] },
      ],
    });
  });

  const failures: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["an unknown environment", { environment: "prod" }, "environment", /must be "live" or "test"/],
    ["an empty displayName", { displayName: "  " }, "displayName", /must not be empty/],
    [
      "a malformed privilege owner",
      { privileges: [{ owner: "search", targetDomain: "X", type: "ENABLE" }] },
      "privileges[0].owner",
      /UPPER_SNAKE_CASE, for example SEARCH_API/,
    ],
    ["a privilege without type", { privileges: [{ owner: "SEARCH_API", targetDomain: "X" }] }, "privileges[0].type", /./],
    [
      "an unknown privilege field",
      { privileges: [{ owner: "SEARCH_API", targetDomain: "X", type: "ENABLE", targetId: "*" }] },
      "privileges[0].targetId",
      /unknown property "targetId"/,
    ],
    [
      "duplicate privileges",
      { privileges: [valid.privileges[0], { owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }] },
      "privileges[1]",
      /duplicates privileges\[0\] \(SEARCH_API\/EXECUTE_QUERY\/ENABLE\); remove one of them/,
    ],
    ["expiresAt not ISO-8601", { expiresAt: "31/01/2027" }, "expiresAt", /ISO-8601 date-time with a time zone, such as 2027-01-31T00:00:00Z/],
    [
      "expiresAt in the past",
      { expiresAt: "2020-01-01T00:00:00Z" },
      "expiresAt",
      /2020-01-01T00:00:00.000Z is in the past; set a future date-time or remove expiresAt/,
    ],
    ["a negative grace period", { rotation: { gracePeriodSeconds: -5 } }, "rotation.gracePeriodSeconds", /must not be negative/],
    ["rotateAfterDays of zero", { rotation: { rotateAfterDays: 0 } }, "rotation.rotateAfterDays", /at least 1 day/],
    ["an unknown backend", { connection: { backend: "okta" } }, "connection.backend", /must be one of: reference/],
    ["a non-URL endpoint", { connection: { endpoint: "keys.example.com" } }, "connection.endpoint", /http\(s\) URL/],
    ["an unknown top-level input", { colour: "red" }, "colour", /unknown property "colour"; remove it or check its spelling/],
    [
      "a lone carriage return in the description (it ends a Markdown table row)",
      { description: "payments\r<!--" },
      "description",
      /must not contain control characters .*; remove them \(tabs and line breaks are fine\)/,
    ],
    ["an escape sequence in the description", { description: "ok\u001b[2J" }, "description", /must not contain control characters/],
    ["a bidirectional override in the description", { description: "abc\u202edcba" }, "description", /invisible ones/],
    ["a control character in a metadata value", { metadata: { owner: "team\u0000" } }, "metadata.owner", /a label is one line of text: remove them/],
    ["a line break in a metadata value", { metadata: { owner: "team\npayments" } }, "metadata.owner", /tabs and line breaks included/],
    ["a control character in a metadata name", { metadata: { "own\ter": "x" } }, "metadata", /label name "own\\ter" must not contain control characters/],
  ];

  test.each(failures)("%s fails on the property with a fix in the reason", async (_name, change, property, reason) => {
    const result = await provider.check({}, { ...valid, ...change });
    expect(result.failures).toHaveLength(1);
    expect(result.failures![0].property).toBe(property);
    expect(result.failures![0].reason).toMatch(reason);
  });

  test("a description over several lines (tabs, LF, CR LF) and one-line labels pass", async () => {
    const description = "payments checkout\r\n\tline two\nline three";
    const result = await provider.check({}, { ...valid, description, metadata: { owner: "payments team", "cost-centre": "CC-12 (EU)" } });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({ description, metadata: { owner: "payments team", "cost-centre": "CC-12 (EU)" } });
  });

  test("rotation.onExposure is refused on a backend that reports no exposure, naming the backend that does", async () => {
    const result = await provider.check({}, { ...valid, rotation: { onExposure: true } });
    expect(result.failures).toEqual([
      {
        property: "rotation.onExposure",
        reason:
          'the reference backend does not support rotation.onExposure: it is a setting of the coveo backend; remove it, or set connection.backend to "coveo"',
      },
    ]);
    expect((await provider.check({}, { ...valid, rotation: { onExposure: "yes" } })).failures).toEqual([
      { property: "rotation.onExposure", reason: "must be true or false" },
    ]);
  });

  test("lifetime and the renewal window must agree: not with expiresAt, a window needs a lifetime and must be shorter", async () => {
    const failures = async (extra: Record<string, unknown>) => (await provider.check({}, { ...valid, ...extra })).failures;
    expect(await failures({ lifetime: "P90D", rotation: { renewBeforeExpiry: "P14D" } })).toEqual([]);
    expect(await failures({ lifetime: "P90D", expiresAt: "2027-06-01T00:00:00Z" })).toEqual([
      { property: "lifetime", reason: expect.stringContaining("set either expiresAt (a fixed date) or lifetime") },
    ]);
    expect(await failures({ expiresAt: "2027-06-01T00:00:00Z", rotation: { renewBeforeExpiry: "P14D" } })).toEqual([
      { property: "rotation.renewBeforeExpiry", reason: expect.stringContaining("needs lifetime") },
    ]);
    expect(await failures({ lifetime: "P1M", rotation: { renewBeforeExpiry: "P31D" } })).toEqual([
      { property: "rotation.renewBeforeExpiry", reason: "must be shorter than lifetime (P1M): a window of P31D would renew the key as soon as it is made" },
    ]);
    expect(await failures({ lifetime: "90 days" })).toEqual([{ property: "lifetime", reason: "must be an ISO-8601 duration such as P90D or P1M" }]);
  });

  test("an expiresAt already in state may pass its date without blocking later previews", async () => {
    const stored = { ...valid, expiresAt: "2026-01-01T00:00:00.000Z" };
    expect((await provider.check(stored, stored)).failures).toEqual([]);
  });

  test("values not known yet (preview) pass through unchecked; the rest is still checked", async () => {
    const ok = await provider.check({}, { ...valid, description: UNKNOWN, privileges: [{ owner: UNKNOWN, targetDomain: "X", type: "ENABLE" }] });
    expect(ok.failures).toEqual([]);
    expect(ok.inputs.description).toBe(UNKNOWN);
    const bad = await provider.check({}, { ...valid, description: UNKNOWN, environment: "prod" });
    expect(bad.failures!.map((f) => f.property)).toEqual(["environment"]);
  });

  test("missing connection settings fail in check, each one with the command that sets it, the token included", async () => {
    const bare = new ApiKeyProvider({ env: {}, now: () => now });
    const result = await bare.check({}, valid);
    expect(result.failures).toEqual([
      {
        property: "connection.endpoint",
        reason:
          "no API key endpoint configured: run `pulumi config set apikeys:endpoint <url>`, or set the APIKEYS_ENDPOINT environment variable or connection.endpoint on the resource",
      },
      {
        property: "connection.token",
        reason:
          "no API key token configured: run `pulumi config set --secret apikeys:token <token>`, or set the APIKEYS_TOKEN environment variable or connection.token on the resource",
      },
      {
        property: "connection.organizationId",
        reason:
          "no API key organizationId configured: run `pulumi config set apikeys:organizationId <organization id>`, or set the APIKEYS_ORGANIZATION_ID environment variable or connection.organizationId on the resource",
      },
    ]);
  });

  test("a token from any of its places passes: stack config (configure runs before check), the resource, the environment", async () => {
    const noToken = { APIKEYS_ENDPOINT: "http://127.0.0.1:1", APIKEYS_ORGANIZATION_ID: "org_x" };
    const missingToken = [{ property: "connection.token", reason: expect.stringContaining("`pulumi config set --secret apikeys:token <token>`") }];
    expect((await new ApiKeyProvider({ env: noToken, now: () => now }).check({}, valid)).failures).toEqual(missingToken);
    const configured = new ApiKeyProvider({ env: noToken, now: () => now });
    await configured.configure({ config: { get: (k: string) => (k === "apikeys:token" ? "at_config" : undefined) } } as never);
    expect((await configured.check({}, valid)).failures).toEqual([]);
    expect((await new ApiKeyProvider({ env: noToken, now: () => now }).check({}, { ...valid, connection: { token: "at_resource" } })).failures).toEqual([]);
    expect((await new ApiKeyProvider({ env: { ...noToken, APIKEYS_TOKEN: "at_env" }, now: () => now }).check({}, valid)).failures).toEqual([]);
    // The message never holds a token, and names no value at all.
    expect(JSON.stringify(missingToken)).not.toContain("at_");
  });

  test("a connection not known yet at preview is not refused, wholly or in part", async () => {
    const bare = new ApiKeyProvider({ env: {}, now: () => now });
    expect((await bare.check({}, { ...valid, connection: UNKNOWN })).failures).toEqual([]);
    expect((await bare.check({}, { ...valid, connection: { token: UNKNOWN } })).failures).toEqual([]);
  });

  describe("against a real server", () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer("sqlite");
    });
    afterAll(async () => t.close());

    test("bad input makes no API call at all", async () => {
      const org = await t.createOrganization();
      const before = t.logs.length;
      const p = new ApiKeyProvider({ env: { APIKEYS_ENDPOINT: t.url, APIKEYS_TOKEN: org.token, APIKEYS_ORGANIZATION_ID: org.id } });
      for (const [, change] of failures) await p.check({}, { ...valid, ...change });
      expect(t.logs.length).toBe(before);
    });
  });
});
