import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { staleSecrets, STATE_RULES, unusedKeys } from "../../policy/stateRules";

/** The policy pack's advisory rules over a key's state: the credential report's findings, from the same thresholds. */
const NOW = new Date("2026-12-31T12:00:00Z");
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function key(outputs: Record<string, unknown>) {
  return {
    urn: "urn:pulumi:prod::shop::pulumi-nodejs:dynamic/apikeys:ApiKey::checkout",
    type: "pulumi-nodejs:dynamic/apikeys:ApiKey",
    outputs: {
      keyId: "key_1",
      environment: "live",
      backend: "reference",
      privileges: [],
      createdAt: daysBefore(200),
      rotatedAt: daysBefore(10),
      lastUsedAt: daysBefore(1),
      rotation: { rotateAfterDays: 30 },
      ...outputs,
    },
  };
}

const defaults = { rulesFile: "" };

test("both rules are advisory, take the rules file and their one threshold", () => {
  expect(STATE_RULES.map((r) => [r.name, r.enforcementLevel, Object.keys(r.configSchema)])).toEqual([
    ["apikeys-unused-keys", "advisory", ["rulesFile", "unusedDays"]],
    ["apikeys-stale-secrets", "advisory", ["rulesFile", "maxSecretAgeDays"]],
  ]);
});

test("apikeys-unused-keys: unused or never used past unusedDays; unknown last use (Didomi) is never a violation", () => {
  expect(unusedKeys.check(key({}), defaults, NOW)).toBeUndefined();
  expect(unusedKeys.check(key({ lastUsedAt: daysBefore(95) }), defaults, NOW)).toBe("not used for 95 days (threshold 90): delete it if nobody needs it");
  expect(unusedKeys.check(key({ lastUsedAt: undefined }), defaults, NOW)).toBe(
    "never used in the 200 days since its creation (threshold 90): delete it if nobody needs it",
  );
  expect(unusedKeys.check(key({ lastUsedAt: daysBefore(95) }), { ...defaults, unusedDays: 120 }, NOW)).toBeUndefined();
  expect(unusedKeys.check(key({ lastUsedAt: undefined, backend: "didomi" }), defaults, NOW)).toBeUndefined();
});

test("apikeys-stale-secrets: older than rotateAfterDays, or than maxSecretAgeDays without a rotation policy", () => {
  expect(staleSecrets.check(key({}), defaults, NOW)).toBeUndefined();
  expect(staleSecrets.check(key({ rotatedAt: daysBefore(31) }), defaults, NOW)).toContain(
    "secret 31 days old, older than its rotation policy (rotateAfterDays 30)",
  );
  expect(staleSecrets.check(key({ rotation: undefined, rotatedAt: daysBefore(91) }), defaults, NOW)).toContain("older than 90 days with no rotation policy");
  expect(staleSecrets.check(key({ rotation: undefined, rotatedAt: daysBefore(61) }), { ...defaults, maxSecretAgeDays: 60 }, NOW)).toContain(
    "older than 60 days",
  );
});

test("the rules file's report section sets the thresholds; the pack's config overrides it; a bad file is named", () => {
  const dir = mkdtempSync(join(tmpdir(), "apikeys-policy-"));
  const rules = join(dir, "apikeys-review.json");
  writeFileSync(rules, JSON.stringify({ report: { unusedDays: 30, maxSecretAgeDays: 200 } }));
  const idle = key({ lastUsedAt: daysBefore(45), rotation: undefined, rotatedAt: daysBefore(150) });
  expect(unusedKeys.check(idle, { rulesFile: rules }, NOW)).toContain("not used for 45 days (threshold 30)");
  expect(unusedKeys.check(idle, { rulesFile: rules, unusedDays: 60 }, NOW)).toBeUndefined();
  expect(staleSecrets.check(idle, { rulesFile: rules }, NOW)).toBeUndefined();
  expect(staleSecrets.check(idle, defaults, NOW)).toContain("secret 150 days old");

  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ report: { unusedDays: "soon" } }));
  expect(unusedKeys.check(idle, { rulesFile: bad }, NOW)).toBe(
    `the rules file cannot be used: ${bad}: report.unusedDays: must be a number of days (a key not used for this long is reported unused)`,
  );
});
