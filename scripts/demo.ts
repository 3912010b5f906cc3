// The demo: starts the reference key server (SQLite, loopback), runs the real `pulumi up` on the
// top-level Pulumi.yaml (the CLI starts the Node.js language host, which runs demo/index.ts), shows
// the engine's own progress, prints the outputs with secrets masked, proves one created key
// authenticates, runs a leak drill (a signed secret-scanning alert revokes the CI key; refresh,
// review and up replace it), and stops the server. Run it again: the second `up` changes nothing.
// Run by scripts/demo.sh (`npm run demo`) with tsx; type-checked by `npm run lint` (tsconfig.test.json).
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { alertSigner } from "./lib/alertSigner";

const root = join(__dirname, "..");
// Overridable so the end-to-end suite can run the demo without touching a user's demo state.
const dataDir = process.env.APIKEYS_DEMO_DATA_DIR ?? join(root, ".apikeys", "demo");
const stateDir = process.env.APIKEYS_DEMO_STATE_DIR ?? join(root, ".pulumi-state");
const stackName = process.env.APIKEYS_DEMO_STACK ?? "demo";
const say = (text: string) => process.stdout.write(`demo: ${text}\n`);

/** A stand-in for GitHub's secret scanning: a key pair made for this run; the server trusts its public key. */
const scanner = alertSigner("demo-scanner");
const scannerKeys = JSON.stringify({ public_keys: [scanner.published] });

interface KeyServer {
  readonly child: ChildProcess;
  readonly url: string;
}

function startServer(rootToken: string): Promise<KeyServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "server/dist/server/cli.js"), "--port", "0"], {
      env: { ...process.env, DATABASE_URL: `sqlite:${join(dataDir, "apikeys.db")}`, APIKEYS_ROOT_TOKEN: rootToken, APIKEYS_LEAK_ALERT_KEYS: scannerKeys },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      const line = buffer.split("\n").find((l) => l.includes('"listening"'));
      if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.once("exit", (code) => reject(new Error(`the key server exited with code ${code}`)));
  });
}

/**
 * `apikeys-server init-org --name <name> --url <url>`, the root token in its environment: the
 * organization id and admin token read from the `pulumi config set` lines it prints.
 */
function initOrganization(url: string, rootToken: string, name: string): Promise<{ organizationId: string; token: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "server/dist/server/cli.js"), "init-org", "--name", name, "--url", url], {
      env: { PATH: process.env.PATH, APIKEYS_ROOT_TOKEN: rootToken },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let said = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    // Its words for a person ("run these lines"); the demo runs them itself, so they show on failure only.
    child.stderr.on("data", (chunk) => (said += chunk));
    child.once("error", reject);
    child.once("exit", (code) => {
      const organizationId = /^pulumi config set apikeys:organizationId (\S+)$/m.exec(out)?.[1];
      const token = /^pulumi config set --secret apikeys:token (\S+)$/m.exec(out)?.[1];
      if (code === 0 && organizationId && token) resolve({ organizationId, token });
      else reject(new Error(`apikeys-server init-org exited with ${code}: ${said.trim()}`));
    });
  });
}

/** The parts of the key server's answers the demo reads (shared/wire/ has the full shapes). */
interface Answer {
  readonly keyId?: string;
  readonly displayName?: string;
  readonly environment?: string;
  readonly privileges?: readonly unknown[];
  readonly error?: { readonly reason?: string };
}

async function api(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${url}${path}`, {
    method: options.method ?? "GET",
    headers: { "content-type": "application/json", ...(options.headers ?? {}) },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

interface PulumiRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The `pulumi` command in the project directory; `input` goes to its standard input (a secret never goes in argv). */
function pulumi(env: NodeJS.ProcessEnv, args: string[], options: { input?: string; show?: boolean; allowFailure?: boolean } = {}): Promise<PulumiRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, ".tools", "bin", "pulumi"), args, {
      cwd: root,
      env,
      stdio: [options.input === undefined ? "ignore" : "pipe", options.show ? "inherit" : "pipe", options.show ? "inherit" : "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 || options.allowFailure ? resolve({ code, stdout, stderr }) : reject(new Error(`pulumi ${args[0]} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  // A fresh root token each run, never written down: it only bootstraps the demo organization.
  const rootToken = `rt_demo_${randomBytes(18).toString("base64url")}`;
  const server = await startServer(rootToken);
  say(`reference key server listening on ${server.url} (data in .apikeys/demo)`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(root, ".tools", "bin")}:${process.env.PATH}`,
    PULUMI_BACKEND_URL: `file://${stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "demo-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    // Node 20.20's util.inspect hangs on coloured stack traces (docs/repository.md): keep the program's output plain.
    NO_COLOR: "1",
    // `npm run build` type-checks demo/ already. The ts-node 7 that @pulumi/pulumi vendors cannot
    // resolve this package's import of itself through its exports map (TS2209 "the project root is
    // ambiguous"); a stack that installs pulumi-apikeys from npm has no such self-reference.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
  };
  try {
    await pulumi(env, ["stack", "select", "--create", stackName]);
    const organization = await pulumi(env, ["config", "get", "apikeys:organizationId"], { allowFailure: true });
    if (organization.code !== 0) {
      // What a user runs on their own server (docs/key-server.md, "Your first organization").
      const org = await initOrganization(server.url, rootToken, "demo storefront");
      await pulumi(env, ["config", "set", "apikeys:organizationId", org.organizationId]);
      // The organization's admin token lives only in the stack config, encrypted with the passphrase
      // (given on standard input here: the line init-org prints would put it on pulumi's command line).
      await pulumi(env, ["config", "set", "--secret", "apikeys:token"], { input: org.token });
      say(`created organization ${org.organizationId} with \`apikeys-server init-org\`; its admin token is stored encrypted in the stack config`);
    }
    // The port changes between runs; the endpoint never causes a diff.
    await pulumi(env, ["config", "set", "apikeys:endpoint", server.url]);

    say("pulumi up --yes");
    await pulumi(env, ["up", "--yes", "--skip-preview"], { show: true });
    const [update] = JSON.parse((await pulumi(env, ["stack", "history", "--json", "--page-size", "1"])).stdout) as {
      resourceChanges: Record<string, number>;
      environment: Record<string, string>;
    }[];
    say(`changes: ${JSON.stringify(update.resourceChanges)} (run by the ${update.environment["exec.kind"]})`);
    say("outputs:");
    const outputs = JSON.parse((await pulumi(env, ["stack", "output", "--json"])).stdout) as Record<string, unknown>;
    for (const [name, value] of Object.entries(outputs))
      process.stdout.write(`  ${name.padEnd(24)} ${value === "[secret]" ? "[secret]" : JSON.stringify(value)}\n`);

    // Read into memory only, to prove the key works; never printed.
    const searchKey = JSON.parse((await pulumi(env, ["stack", "output", "searchKey", "--show-secrets", "--json"])).stdout) as string;
    const who = await api(server.url, "/v1/whoami", { headers: { authorization: `Api-Key ${searchKey}` } });
    if (who.status !== 200 || who.body.keyId !== outputs.searchKeyId) {
      throw new Error(`the search key did not authenticate: ${who.status} ${JSON.stringify(who.body)}`);
    }
    say(`the search key authenticates: ${who.body.keyId} "${who.body.displayName}" (${who.body.environment}), ${who.body.privileges?.length} privileges`);
    await leakDrill(env, server.url);
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.once("exit", resolve));
    say("key server stopped");
  }
}

/**
 * The CI key is "found" in a public repository: a signed alert revokes it at once, `pulumi refresh`
 * records why, the review of the preview says so, and `pulumi up` issues its successor.
 */
async function leakDrill(env: NodeJS.ProcessEnv, url: string): Promise<void> {
  const secret = async () => JSON.parse((await pulumi(env, ["stack", "output", "ciKey", "--show-secrets", "--json"])).stdout) as string;
  const leaked = await secret();
  const body = JSON.stringify([{ token: leaked, type: "pulumi_apikeys_secret", url: "https://github.com/example/shop/blob/main/.env", source: "content" }]);
  const response = await fetch(`${url}/v1/secret-scanning/alerts`, { method: "POST", headers: scanner.headers(body), body });
  const [answer] = (await response.json()) as { label: string }[];
  const refused = await api(url, "/v1/whoami", { headers: { authorization: `Api-Key ${leaked}` } });
  say(`leak drill: a signed alert reports the CI key in a public repository: ${answer.label}; the key now answers ${refused.body.error?.reason}`);
  await pulumi(env, ["refresh", "--yes", "--skip-preview"]);
  const preview = await pulumi(env, ["preview", "--json"]);
  const previewFile = join(dataDir, "leak-preview.json");
  writeFileSync(previewFile, preview.stdout);
  const review = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "dist/review/cli.js"), "review", previewFile], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`review exited with ${code}`))));
  });
  say(`leak drill: review: ${review.split("\n").find((line) => line.startsWith("| ci-integration-tests")) ?? "(no row)"}`);
  await pulumi(env, ["up", "--yes", "--skip-preview"]);
  const who = await api(url, "/v1/whoami", { headers: { authorization: `Api-Key ${await secret()}` } });
  say(`leak drill: after pulumi up the CI key's successor authenticates: ${who.body.keyId}`);
}

main().catch((error: Error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exit(1);
});
