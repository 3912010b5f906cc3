import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as auto from "@pulumi/pulumi/automation";
import type { ApiKeyArgs } from "../../provider";
import { exportNamedStack } from "../../review/credentials/stackExport";
import { CoveoEmulator } from "../emulators/coveo/coveoEmulator";
import { pulumiCommand, repoRoot } from "../helpers/engine";
import { searchPrivilege, startServerWithOrganization, whoami, type TestOrganization } from "../helpers/fixtures";
import { nativePluginSettings } from "../helpers/nativePlugin";
import type { TestServer } from "../helpers/testServer";

jest.setTimeout(420_000);

const impersonate = { owner: "SEARCH_API", targetDomain: "IMPERSONATE", type: "ENABLE" };
const DAY_S = 86_400;

type Declared = Record<string, { readonly kind: "ApiKey" | "NativeApiKey"; readonly args: ApiKeyArgs }>;

/**
 * The credential report as a security team runs it each quarter, on the real engine: two stacks of
 * one project on one file:// backend (named stacks, which EngineStack does not make), keys created,
 * some used, the server's clock moved 100 days on (as the renewal test moves it), `pulumi refresh`,
 * then `pulumi-apikeys report` over an export file and a stack it exports itself.
 */
describe("the credential report on the real Pulumi engine", () => {
  let server: TestServer;
  let coveo: CoveoEmulator;
  let org: TestOrganization;
  const workDir = join(repoRoot, "test", ".artifacts", `credential-report-${Date.now().toString(36)}`);
  const toolsBin = join(repoRoot, ".tools", "bin");
  // What `pulumi stack export` needs to find the stacks: the backend, no passphrase (nothing is decrypted).
  const exportEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    PATH: `${toolsBin}:${process.env.PATH}`,
    PULUMI_BACKEND_URL: `file://${join(workDir, "state")}`,
    PULUMI_HOME: join(workDir, "home"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    PULUMI_CONFIG_PASSPHRASE: undefined,
    NO_COLOR: "1",
  });

  async function namedStack(stackName: string, keys: Declared): Promise<auto.Stack> {
    const program = async () => {
      // Loaded by package name, exactly as a user's program does (the repo links itself into node_modules).
      const apikeys: typeof import("../../provider") = require("pulumi-apikeys");
      const outputs: Record<string, unknown> = {};
      for (const [name, { kind, args }] of Object.entries(keys)) {
        const key = new apikeys[kind](name, args);
        outputs[`${name}.keyId`] = key.keyId;
        outputs[`${name}.secret`] = key.secret;
      }
      return outputs;
    };
    const stack = await auto.LocalWorkspace.createStack(
      { stackName, projectName: "shop", program },
      {
        workDir,
        // The Automation API's type has no `plugins`; it writes Pulumi.yaml from this object as it is.
        projectSettings: { name: "shop", runtime: "nodejs", plugins: nativePluginSettings() } as auto.ProjectSettings,
        pulumiCommand: await pulumiCommand(),
        pulumiHome: join(workDir, "home"),
        envVars: {
          PATH: `${toolsBin}:${process.env.PATH}`,
          PULUMI_BACKEND_URL: `file://${join(workDir, "state")}`,
          PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
          NO_COLOR: "1",
          APIKEYS_RETRY_BASE_MS: "50",
        },
      },
    );
    await stack.setAllConfig({
      "apikeys:endpoint": { value: server.url },
      "apikeys:organizationId": { value: org.id },
      "apikeys:token": { value: org.token, secret: true },
    });
    return stack;
  }

  beforeAll(async () => {
    mkdirSync(join(workDir, "state"), { recursive: true });
    ({ t: server, org } = await startServerWithOrganization("sqlite"));
    coveo = await CoveoEmulator.start({ organizationId: "shopsearch", accessToken: "coveo-oauth-token-report" });
  });
  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    await Promise.all([server?.close(), coveo?.close()]);
  });

  /** `pulumi-apikeys report`, the built command line a CI job runs, in the project's directory. */
  function report(args: string[]): { status: number; stdout: string; stderr: string } {
    const run = spawnSync(process.execPath, [join(repoRoot, "dist", "review", "cli.js"), "report", ...args], {
      cwd: workDir,
      env: exportEnv(),
      encoding: "utf8",
    });
    return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
  }

  test("refresh records last use; the report over two stacks flags the unused key and the old secret, not the used one, in every format without a secret", async () => {
    const payments = await namedStack("payments", {
      checkout: {
        kind: "ApiKey",
        args: {
          environment: "live",
          privileges: [searchPrivilege],
          description: "checkout service: product search",
          metadata: { owner: "payments-team" },
          rotation: { rotateAfterDays: 180 },
        },
      },
      "idle-admin": {
        kind: "ApiKey",
        args: { environment: "live", privileges: [searchPrivilege, impersonate], description: "support tool, ticket SUP-12", metadata: { owner: "support" } },
      },
    });
    const coveoConnection = { backend: "coveo" as const, endpoint: coveo.url, organizationId: "shopsearch", token: "coveo-oauth-token-report" };
    const searchStack = await namedStack("search", {
      // The native provider's type (apikeys:index:ApiKey) beside the dynamic one.
      storefront: {
        kind: "NativeApiKey",
        args: { environment: "test", privileges: [searchPrivilege], metadata: { owner: "search-team" }, rotation: { rotateAfterDays: 30 } },
      },
      "coveo-search": {
        kind: "ApiKey",
        args: { privileges: [searchPrivilege], description: "storefront queries on Coveo", rotation: { rotateAfterDays: 180 }, connection: coveoConnection },
      },
    });
    const paymentsUp = await payments.up({ color: "never" });
    const searchUp = await searchStack.up({ color: "never" });
    const secrets = [
      ...["checkout", "idle-admin"].map((k) => paymentsUp.outputs[`${k}.secret`].value as string),
      ...["storefront", "coveo-search"].map((k) => searchUp.outputs[`${k}.secret`].value as string),
    ];
    expect(secrets.every((s) => typeof s === "string" && s.length > 20)).toBe(true);

    // 100 days later in the server's time: the checkout and storefront keys are used then; the Coveo
    // key was used the day before (Coveo's lastUsedDate); idle-admin never.
    server.clock.advance(100 * DAY_S);
    const asOf = server.clock.now();
    expect((await whoami(server, secrets[0])).status).toBe(200);
    expect((await whoami(server, secrets[2])).status).toBe(200);
    const coveoId = searchUp.outputs["coveo-search.keyId"].value as string;
    const coveoUsedAt = asOf.getTime() - DAY_S * 1000;
    coveo.recordUse(coveoId, coveoUsedAt);

    await payments.refresh({ color: "never" });
    await searchStack.refresh({ color: "never" });
    // Recorded, never a change to the key: a preview after the refresh has nothing to do.
    expect((await payments.preview({ color: "never" })).changeSummary).toEqual({ same: 3 });
    expect((await searchStack.preview({ color: "never" })).changeSummary).toEqual({ same: 3 });

    // lastUsedAt in state: the server's time of the verification, Coveo's lastUsedDate.
    const outputsOf = async (stack: auto.Stack) =>
      Object.fromEntries(
        ((await stack.exportStack()).deployment.resources as Array<{ urn: string; type: string; outputs?: Record<string, unknown> }>)
          .filter((r) => r.type.endsWith("ApiKey"))
          .map((r) => [r.urn.split("::").pop()!, r.outputs ?? {}]),
      );
    const paymentsState = await outputsOf(payments);
    const searchState = await outputsOf(searchStack);
    expect(Math.abs(Date.parse(paymentsState.checkout.lastUsedAt as string) - asOf.getTime())).toBeLessThan(60_000);
    expect(paymentsState["idle-admin"]).not.toHaveProperty("lastUsedAt");
    expect(Math.abs(Date.parse(searchState.storefront.lastUsedAt as string) - asOf.getTime())).toBeLessThan(60_000);
    expect(searchState["coveo-search"].lastUsedAt).toBe(new Date(coveoUsedAt).toISOString());

    // One stack from an export file, the other exported by the report itself (`--stack`): neither with --show-secrets.
    const paymentsFile = join(workDir, "payments.json");
    const exported = exportNamedStack("payments", { cwd: workDir, env: exportEnv() });
    writeFileSync(paymentsFile, exported);
    const ciphertexts = [...`${exported}${exportNamedStack("search", { cwd: workDir, env: exportEnv() })}`.matchAll(/"ciphertext":\s*"([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(ciphertexts.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) expect(exported).not.toContain(secret);

    const base = ["payments.json", "--stack", "search", "--as-of", asOf.toISOString()];
    const outputs: Record<string, { status: number; stdout: string; stderr: string }> = {};
    for (const format of ["markdown", "csv", "json", "github"]) outputs[format] = report([...base, "--format", format]);
    for (const [format, run] of Object.entries(outputs)) {
      expect({ format, status: run.status, stderr: format === "github" ? "" : run.stderr }).toEqual({ format, status: 0, stderr: "" });
      for (const secret of [...secrets, org.token, "coveo-oauth-token-report"]) expect(run.stdout + run.stderr).not.toContain(secret);
      for (const ciphertext of ciphertexts) expect(run.stdout + run.stderr).not.toContain(ciphertext);
      expect(run.stdout + run.stderr).not.toContain("ciphertext");
    }

    const json = JSON.parse(outputs.json.stdout);
    const byName = Object.fromEntries((json.keys as Array<{ name: string; findings: Array<{ kind: string }> }>).map((k) => [k.name, k]));
    const findings = (name: string) => byName[name].findings.map((f) => f.kind);
    expect(Object.keys(byName).sort()).toEqual(["checkout", "coveo-search", "idle-admin", "storefront"]);
    expect(findings("checkout")).toEqual([]);
    expect(findings("coveo-search")).toEqual([]);
    expect(findings("idle-admin")).toEqual(["unused-high-risk", "never-used", "stale-secret", "no-rotation-no-expiry"]);
    expect(findings("storefront")).toEqual(["stale-secret"]);
    expect(byName.storefront).toMatchObject({ stack: "shop/search", provider: "native", environment: "test", owner: "search-team" });
    expect(byName["coveo-search"]).toMatchObject({
      backend: "coveo",
      organizationId: "shopsearch",
      lastUse: { reported: true, at: new Date(coveoUsedAt).toISOString(), daysUnused: 1 },
    });
    expect(byName["idle-admin"]).toMatchObject({
      stack: "shop/payments",
      source: "payments.json",
      lastUse: { reported: true, daysUnused: 100 },
      secretAgeDays: 100,
    });

    // CSV: one header row, one row per key.
    const csvRows = outputs.csv.stdout.trimEnd().split("\r\n");
    expect(csvRows).toHaveLength(5);
    expect(csvRows[0]).toMatch(/^stack,key,key_id,/);
    expect(csvRows.slice(1).map((r) => r.split(",")[1])).toEqual(["checkout", "idle-admin", "coveo-search", "storefront"]);

    // Markdown for the job summary; annotations for the run's page.
    expect(outputs.markdown.stdout).toContain("4 keys in 2 stacks; findings: **1 high** ⛔, **4 medium** ⚠️ on 2 keys.");
    expect(outputs.markdown.stdout).toMatch(
      /\| shop\/search \| coveo-search \| coveo \| shopsearch \| – \| storefront queries on Coveo \| .* \| \d{4}-\d\d-\d\d \(1 day ago\) \| active \| – \|/,
    );
    expect(outputs.markdown.stdout).toMatch(/\| shop\/payments \| checkout \| .* \| \d{4}-\d\d-\d\d \(today\) \| active \| – \|/);
    expect(outputs.github.stdout).toBe(outputs.markdown.stdout);
    expect(outputs.github.stderr).toContain("::error title=API key shop/payments idle-admin%3A unused-high-risk::");

    // The CI job fails on what the team chose.
    expect(report([...base, "--fail-on", "high"]).status).toBe(2);
    expect(report([...base, "--fail-on", "expiring"]).status).toBe(0);
    // The README's example output is this run's.
    process.stdout.write(`\n--- credential report (markdown) ---\n${outputs.markdown.stdout}\n--- csv ---\n${outputs.csv.stdout}\n`);
    expect(readFileSync(paymentsFile, "utf8")).toContain("ciphertext");

    await payments.destroy({ color: "never" });
    await searchStack.destroy({ color: "never" });
  });

  test("the policy pack's advisory rules read the same findings from state at preview: an unused key, an old secret", async () => {
    // The server's clock 100 days back while the keys are made (rotatedAt is the provider's clock,
    // so the old secret is an adopted key's: adopting records the key's own creation as its secret's).
    const setServerClock = (daysFromNow: number) => server.clock.advance(daysFromNow * DAY_S - (server.clock.now().getTime() - Date.now()) / 1000);
    setServerClock(-100);
    const made = await server.api("POST", `/v1/organizations/${org.id}/keys`, {
      token: org.token,
      body: { displayName: "legacy", environment: "test", privileges: [searchPrivilege] },
    });
    expect(made.status).toBe(201);
    const keys: Declared = { idle: { kind: "ApiKey", args: { environment: "test", description: "nightly export, team data", privileges: [searchPrivilege] } } };
    const audit = await namedStack("audit", keys);
    await audit.up({ color: "never" });
    setServerClock(0);
    expect((await whoami(server, made.body.secret)).status).toBe(200);
    keys.legacy = {
      kind: "ApiKey",
      args: { adoptKeyId: made.body.id, displayName: "legacy", environment: "test", description: "partner feed, team partners", privileges: [searchPrivilege] },
    };
    await audit.up({ color: "never" });
    await audit.refresh({ color: "never" });

    const preview = await audit.preview({ color: "never", policyPacks: [join(repoRoot, "policy")] });
    const advisories = preview.stdout
      .split("\n")
      .filter((line) => /idle:|legacy:/.test(line))
      .map((line) => line.trim())
      .sort();
    expect(advisories).toEqual([
      "idle: never used in the 100 days since its creation (threshold 90): delete it if nobody needs it",
      "legacy: secret 100 days old, older than 90 days with no rotation policy: set rotation.rotateAfterDays, or change rotation.trigger to rotate it now",
    ]);
    process.stdout.write(`\n--- preview with the policy pack ---\n${preview.stdout}\n`);
    expect(preview.stdout).toMatch(/\[advisory\]\s+apikeys-unused-keys/);
    expect(preview.stdout).toMatch(/\[advisory\]\s+apikeys-stale-secrets/);
    await audit.destroy({ color: "never" });
  });
});
