import { startServerWithOrganization, statusFrom, verifyFrom, type TestOrganization } from "../helpers/fixtures";
import { startTestServer, type TestServer } from "../helpers/testServer";

/** A well-formed secret no key has (a fresh key prefix for each `i`). */
const unknownSecret = (i: number) => `ak_test_${i.toString().padStart(24, "0")}zzzzzz`;

/** A secret with the real key's public hint (its first 12 characters) and a wrong, well-formed tail. */
const sameHint = (secret: string, i: number) => `${secret.slice(0, 12)}${i.toString().padStart(20, "0")}zzzzzz`;

describe("the limits never refuse a valid key or token (reference server)", () => {
  let t: TestServer;
  let org: TestOrganization;
  let real: { secret: string; hint: string };
  beforeEach(async () => {
    // One refused attempt per 5 s (burst 1), and the server's clock stands still: no bucket refills
    // between the flood and the last guess, however slowly the machine sends them.
    ({ t, org } = await startServerWithOrganization("sqlite", { rateLimitPerSecond: 0, failedVerifyRateLimitPerSecond: 0.2 }));
    t.clock.freeze();
    real = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "real", environment: "live" } })).body;
  });
  afterEach(async () => t.close());

  test("a flood of junk with the key's public hint, from many addresses, leaves the key verifying; the junk gets 429", async () => {
    expect(real.hint.replace("…", "")).toBe(real.secret.slice(0, 12));
    const statuses: number[] = [];
    for (let i = 0; i < 80; i++) statuses.push(await verifyFrom(t, `127.0.3.${(i % 200) + 1}`, sameHint(real.secret, i)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(25);
    expect(await verifyFrom(t, "127.0.3.1", real.secret)).toBe(200);
    expect(await verifyFrom(t, "127.0.4.1", real.secret)).toBe(200);
    expect(await verifyFrom(t, "127.0.4.1", sameHint(real.secret, 999))).toBe(429);
  });

  test("an address flooding unknown secrets is answered 429, and a right key from that same address still verifies", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push(await verifyFrom(t, "127.0.5.1", unknownSecret(i)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    expect(await verifyFrom(t, "127.0.5.1", real.secret)).toBe(200);
    expect(await verifyFrom(t, "127.0.5.1", "ak_test_nope")).toBe(429);
  });

  test("wrong admin tokens are limited per address (429 after the burst); a right token from that address still works", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push(await statusFrom(t, "127.0.6.1", `/v1/organizations/${org.id}/keys`, { authorization: `Bearer at_wrong${i}` }));
    expect(statuses[0]).toBe(401);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(60);
    expect(await statusFrom(t, "127.0.6.1", `/v1/organizations/${org.id}/keys`, { authorization: `Bearer ${org.token}` })).toBe(200);
    expect(await statusFrom(t, "127.0.6.2", `/v1/organizations/${org.id}/keys`, { authorization: "Bearer at_wrong" })).toBe(401);
  });
});

/** A server that allows one refused attempt per 5 s (burst 1), on a clock that stands still: no refill happens during a test. */
async function strictServer(options: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> {
  const t = await startTestServer("sqlite", { failedVerifyRateLimitPerSecond: 0.2, ...options });
  t.clock.freeze();
  return t;
}

describe("client addresses behind a proxy", () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());
  const flood = async (server: TestServer, proxy: string, header: Record<string, string>) => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push(await verifyFrom(server, proxy, unknownSecret(i), header));
    return statuses;
  };

  test("with no trusted proxy, X-Forwarded-For is ignored: a client cannot pick a fresh address per request", async () => {
    t = await strictServer();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push(await verifyFrom(t, "127.0.7.1", unknownSecret(i), { "x-forwarded-for": `203.0.113.${i}` }));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
  });

  test("behind a trusted proxy, one client's guessing is limited by its forwarded address, not everyone behind the proxy", async () => {
    t = await strictServer({ trustedProxies: ["127.0.8.0/24"] });
    const org = await t.createOrganization();
    const key = (await t.api("POST", `/v1/organizations/${org.id}/keys`, { token: org.token, body: { displayName: "k" } })).body;
    const statuses = await flood(t, "127.0.8.1", { "x-forwarded-for": "198.51.100.7" });
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    // Another client through the same proxy is not limited by the first one's guesses.
    expect(await verifyFrom(t, "127.0.8.1", "ak_test_OtherClient00000000000zzzzzz", { "x-forwarded-for": "198.51.100.8" })).toBe(401);
    // A client-sent X-Forwarded-For in front of the proxy's own entry does not change who it is.
    expect(await verifyFrom(t, "127.0.8.1", "ak_test_SpoofedFirstHop00000000zzzzzz", { "x-forwarded-for": "10.9.9.9, 198.51.100.7" })).toBe(429);
    expect(await verifyFrom(t, "127.0.8.1", key.secret, { "x-forwarded-for": "198.51.100.7" })).toBe(200);
  });

  test("an untrusted peer's X-Forwarded-For is ignored even when a trusted proxy is configured", async () => {
    t = await strictServer({ trustedProxies: ["10.0.0.1"] });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push(await verifyFrom(t, "127.0.9.1", unknownSecret(i), { "x-forwarded-for": `203.0.113.${i}` }));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
  });

  test("a custom header (X-Real-IP) when configured", async () => {
    t = await strictServer({ trustedProxies: ["127.0.10.1"], clientIpHeader: "x-real-ip" });
    const statuses = await flood(t, "127.0.10.1", { "x-real-ip": "198.51.100.9" });
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect(await verifyFrom(t, "127.0.10.1", "ak_test_OtherClient00000000000zzzzzz", { "x-real-ip": "198.51.100.10" })).toBe(401);
  });
});

describe("forwarded hops the resolver cannot take at face value", () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());
  // A fresh key prefix (the first 12 characters) per guess, so only the address bucket can say 429.
  const guess = (i: number) => `ak_test_${i.toString(36).padStart(4, "0")}${"0".repeat(20)}zzzzzz`;

  // The proxy appends what it saw; everything to its left is the client's to write. Before, a last
  // hop with a port or one that is not an address was skipped, and the client's own entry was used.
  test.each([
    ["an IPv4 address with a port", "203.0.113.10:51234", "203.0.113.10"],
    ["a bracketed IPv6 address with a port", "[2001:db8::10]:443", "2001:db8::10"],
    ["a hop that is not an address", "unknown", "unknown"],
  ])("%s as the last hop is the client: the client's own entries in front of it pick nothing", async (_name, lastHop, sameClient) => {
    t = await strictServer({ trustedProxies: ["127.0.11.0/24"] });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push(await verifyFrom(t, "127.0.11.1", guess(i), { "x-forwarded-for": `10.${i}.0.1, ${lastHop}` }));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    // The same client written another way (no port, no brackets) is the same bucket.
    expect(await verifyFrom(t, "127.0.11.1", guess(99), { "x-forwarded-for": sameClient })).toBe(429);
    // Another client behind the proxy is not held back.
    expect(await verifyFrom(t, "127.0.11.1", guess(98), { "x-forwarded-for": "198.51.100.20:443" })).toBe(401);
  });

  test("IPv6 clients are limited by their /64: rotating addresses inside it does not escape the limit", async () => {
    t = await strictServer({ trustedProxies: ["127.0.12.1"] });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++)
      statuses.push(await verifyFrom(t, "127.0.12.1", guess(i), { "x-forwarded-for": `2001:db8:1:2:${((i * 7919) % 65536).toString(16)}::${i + 1}` }));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    // Written in full, with leading zeros: the same /64.
    expect(await verifyFrom(t, "127.0.12.1", guess(99), { "x-forwarded-for": "2001:0db8:0001:0002:ffff:ffff:ffff:ffff" })).toBe(429);
    // The next /64 is another client.
    expect(await verifyFrom(t, "127.0.12.1", guess(98), { "x-forwarded-for": "2001:db8:1:3::1" })).toBe(401);
  });
});
