import { ApiKeyProvider } from "../provider";

/** Microseconds per `check` and `diff` call for a key with 50 privileges: the provider's own cost per key. */
export async function measureHookCost(): Promise<{ checkMicros: number; diffMicros: number; privileges: number }> {
  const provider = new ApiKeyProvider({ env: { APIKEYS_ENDPOINT: "http://127.0.0.1:1", APIKEYS_ORGANIZATION_ID: "org_bench", APIKEYS_TOKEN: "at_bench" } });
  const privileges = Array.from({ length: 50 }, (_, i) => ({
    owner: "SEARCH_API",
    targetDomain: `DOMAIN_${i}`,
    type: i % 3 ? "VIEW" : "EDIT",
    targetIds: [`t${i}`, `u${i}`],
  }));
  const news = { displayName: "bench", description: "benchmark key", environment: "live", privileges, rotation: { trigger: "a", rotateAfterDays: 90 } };
  const checked = (await provider.check({}, news)).inputs;
  const olds = {
    ...checked,
    keyId: "key_1",
    secretAvailable: true,
    hint: "",
    createdAt: new Date().toISOString(),
    rotatedAt: new Date().toISOString(),
    backend: "reference",
    organizationId: "org_bench",
  };
  const time = async (n: number, f: () => Promise<unknown>) => {
    for (let i = 0; i < 200; i++) await f(); // warm up
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await f();
    return Number(process.hrtime.bigint() - started) / 1000 / n;
  };
  return {
    privileges: 50,
    checkMicros: Math.round(await time(5000, () => provider.check(olds, news))),
    diffMicros: Math.round(await time(5000, () => provider.diff("key_1", olds as never, checked))),
  };
}
