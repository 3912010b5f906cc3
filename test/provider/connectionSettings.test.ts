import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { CONNECTION_SETTINGS, CONNECTION_SETTING_NAMES } from "../../provider/connection/settings";
import { RETRY_SETTINGS, retryPolicyFromEnv } from "../../provider/http/retryPolicy";
import { connectionSchema } from "../../provider/keyState/inputs";
import { SERVER_SETTINGS } from "../../server/settings";
import { CREDENTIAL_VARIABLES } from "../../shared/scrubEnvironment";

const providerDir = join(__dirname, "../../provider");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith(".ts") ? [path] : [];
  });
}

// The compiler checks the names (ConnectionSettingChecks in provider/connection/settings.ts); these
// check what it cannot: the variables the code reads, the order, and the words users read.
describe("the provider's settings come from its tables", () => {
  test("every APIKEYS_* variable the provider reads is a row of CONNECTION_SETTINGS or RETRY_SETTINGS (a backend's folder keeps its own)", () => {
    const tabled = new Set([...Object.values(CONNECTION_SETTINGS), ...Object.values(RETRY_SETTINGS)].map((row) => row.envVar));
    const named = sources(providerDir)
      .filter((file) => !relative(providerDir, file).startsWith("backends/") || relative(providerDir, file).split("/").length === 2)
      .flatMap((file) => readFileSync(file, "utf8").match(/\bAPIKEYS_[A-Z][A-Z_]*[A-Z]\b/g) ?? []);
    expect([...new Set(named)].filter((name) => !tabled.has(name) && name !== "APIKEYS_RELEASE")).toEqual([]);
    expect(tabled.size).toBe(CONNECTION_SETTING_NAMES.length + Object.keys(RETRY_SETTINGS).length);
  });

  test("the resource's connection schema lists the settings in the table's order, `api` included", () => {
    expect(Object.keys(connectionSchema().shape)).toEqual(CONNECTION_SETTING_NAMES);
    expect(CONNECTION_SETTING_NAMES).toContain("api");
  });

  test("ConnectionArgs tells each setting's stack config key and variable", () => {
    const text = readFileSync(join(providerDir, "resource.ts"), "utf8");
    const declaration = text.slice(text.indexOf("export interface ConnectionArgs"), text.indexOf("\n}\n", text.indexOf("export interface ConnectionArgs")));
    for (const name of CONNECTION_SETTING_NAMES) {
      const { configKey, envVar } = CONNECTION_SETTINGS[name];
      expect(declaration).toContain(`\`${configKey}\``);
      expect(declaration).toContain(`\`${envVar}\``);
    }
  });

  test("docs/install.md names every connection setting's config key and variable, and every retry variable", () => {
    const install = readFileSync(join(providerDir, "../docs/install.md"), "utf8");
    const named = [
      ...Object.values(CONNECTION_SETTINGS).flatMap((row) => [row.configKey, row.envVar]),
      ...Object.values(RETRY_SETTINGS).map((row) => row.envVar),
    ];
    expect(named.filter((name) => !install.includes(`\`${name}\``))).toEqual([]);
  });

  test("the variables a process removes from its environment at start are the secret rows of both tables", () => {
    const secretRows = [
      ...Object.entries(SERVER_SETTINGS).flatMap(([name, row]) => ("secret" in row && row.secret ? [name] : [])),
      ...Object.values(CONNECTION_SETTINGS).flatMap((row) => (row.secret ? [row.envVar] : [])),
    ];
    expect([...CREDENTIAL_VARIABLES].sort()).toEqual(secretRows.sort());
  });

  test("each retry variable sets its part of the policy; an unusable value keeps the default", () => {
    expect(retryPolicyFromEnv({})).toMatchObject({ maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 8000 });
    const set = retryPolicyFromEnv({ APIKEYS_MAX_ATTEMPTS: "2", APIKEYS_RETRY_BASE_MS: "5", APIKEYS_RETRY_MAX_MS: "20" });
    expect(set).toMatchObject({ maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 });
    expect(retryPolicyFromEnv({ APIKEYS_MAX_ATTEMPTS: "many", APIKEYS_RETRY_BASE_MS: "-1" })).toMatchObject({ maxAttempts: 6, baseDelayMs: 250 });
    for (const [part, row] of Object.entries(RETRY_SETTINGS)) expect(retryPolicyFromEnv({})).toHaveProperty(part, row.default);
  });
});
