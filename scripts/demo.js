#!/usr/bin/env node
// The demo: starts the reference key server (SQLite, loopback), runs `pulumi up` on the top-level
// Pulumi.yaml program against it, prints the outputs with secrets masked, proves one created key
// authenticates, and stops the server. Run it again: the second `up` changes nothing.
//
// The program runs inline through the Automation API (the Go `pulumi-language-nodejs` host is not
// published where these machines can reach it); `pulumi up` itself is the real CLI and engine.
"use strict";
const { spawn } = require("node:child_process");
const { randomBytes } = require("node:crypto");
const { mkdirSync } = require("node:fs");
const { join } = require("node:path");
const auto = require("@pulumi/pulumi/automation");
require("node:util").inspect.defaultOptions.colors = false; // Node 20.20 inspect bug, see README

const root = join(__dirname, "..");
// Overridable so the end-to-end suite can run the demo without touching a user's demo state.
const dataDir = process.env.APIKEYS_DEMO_DATA_DIR ?? join(root, ".apikeys", "demo");
const stateDir = process.env.APIKEYS_DEMO_STATE_DIR ?? join(root, ".pulumi-state");
const stackName = process.env.APIKEYS_DEMO_STACK ?? "demo";
const say = (text) => process.stdout.write(`demo: ${text}\n`);

function startServer(rootToken) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "dist/server/cli.js"), "--port", "0"], {
      env: { ...process.env, DATABASE_URL: `sqlite:${join(dataDir, "apikeys.db")}`, APIKEYS_ROOT_TOKEN: rootToken },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buffer = "";
    child.stdout.on("data", (chunk) => {
      buffer += chunk;
      const line = buffer.split("\n").find((l) => l.includes('"listening"'));
      if (line) resolve({ child, url: JSON.parse(line).url });
    });
    child.once("exit", (code) => reject(new Error(`the key server exited with code ${code}`)));
  });
}

async function api(url, path, options = {}) {
  const response = await fetch(`${url}${path}`, {
    method: options.method ?? "GET",
    headers: { "content-type": "application/json", ...(options.headers ?? {}) },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

async function main() {
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  // A fresh root token each run, never written down: it only bootstraps the demo organization.
  const rootToken = `rt_demo_${randomBytes(18).toString("base64url")}`;
  const server = await startServer(rootToken);
  say(`reference key server listening on ${server.url} (data in .apikeys/demo)`);
  try {
    const stack = await auto.LocalWorkspace.createOrSelectStack(
      { stackName, projectName: "apikeys-demo", program: async () => require(join(root, "dist/demo/index.js")) },
      {
        workDir: root,
        pulumiCommand: await auto.PulumiCommand.get({ root: join(root, ".tools") }),
        envVars: {
          PATH: `${join(root, ".tools", "bin")}:${process.env.PATH}`,
          PULUMI_BACKEND_URL: `file://${stateDir}`,
          PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "demo-passphrase",
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        },
      },
    );
    const config = await stack.getAllConfig();
    if (!config["apikeys:organizationId"]) {
      const org = await api(server.url, "/v1/organizations", { method: "POST", headers: { authorization: `Bearer ${rootToken}` }, body: { name: "demo storefront" } });
      if (org.status !== 201) throw new Error(`creating the demo organization failed: ${JSON.stringify(org.body)}`);
      // The organization's admin token lives only in the stack config, encrypted with the passphrase.
      await stack.setAllConfig({ "apikeys:organizationId": { value: org.body.id }, "apikeys:token": { value: org.body.token, secret: true } });
      say(`created organization ${org.body.id}; its admin token is stored encrypted in the stack config`);
    }
    // The port changes between runs; the endpoint never causes a diff.
    await stack.setConfig("apikeys:endpoint", { value: server.url });

    say("pulumi up --yes");
    const result = await stack.up({ onOutput: (text) => process.stdout.write(text), color: "auto" });
    say(`changes: ${JSON.stringify(result.summary.resourceChanges)}`);
    say("outputs:");
    for (const [name, output] of Object.entries(result.outputs)) {
      process.stdout.write(`  ${name.padEnd(24)} ${output.secret ? "[secret]" : JSON.stringify(output.value)}\n`);
    }

    const who = await api(server.url, "/v1/whoami", { headers: { authorization: `Api-Key ${result.outputs.searchKey.value}` } });
    if (who.status !== 200 || who.body.keyId !== result.outputs.searchKeyId.value) {
      throw new Error(`the search key did not authenticate: ${who.status} ${JSON.stringify(who.body)}`);
    }
    say(`the search key authenticates: ${who.body.keyId} "${who.body.displayName}" (${who.body.environment}), ${who.body.privileges.length} privileges`);
  } finally {
    server.child.kill("SIGTERM");
    await new Promise((resolve) => server.child.once("exit", resolve));
    say("key server stopped");
  }
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exit(1);
});
