#!/usr/bin/env node
import { parseArgs } from "node:util";
import { takeCredentialsFromEnvironment } from "../shared/scrubEnvironment";
import { initOrganizationCommand } from "./bootstrap/initOrganization";
import { startServer } from "./index";
import { startFailureMessage } from "./missingDriver";
import { flagValues, parseServerSettings, serverOptionsFrom, settingFlags, settingsHelp } from "./settings";

const usage = `apikeys-server: the pulumi-apikeys reference key API

Each setting is read from its variable; a flag, where there is one, wins over it.

${settingsHelp()}
A valid key or token is never refused by a limit: limits apply to refused attempts only.

apikeys-server init-org --name NAME [--url URL]: an organization on a running server, and the
\`pulumi config set\` lines of a stack that uses it (init-org --help says more).
`;

// Read once, then gone from the process environment (and so from any crash report).
const env = takeCredentialsFromEnvironment();

async function main(): Promise<void> {
  if (process.argv[2] === "init-org") {
    const write = (stream: NodeJS.WriteStream) => (text: string) => stream.write(text);
    process.exitCode = await initOrganizationCommand(process.argv.slice(3), env, { stdout: write(process.stdout), stderr: write(process.stderr) });
    return;
  }
  const { values } = parseArgs({ options: { ...settingFlags(), help: { type: "boolean" } } });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const settings = parseServerSettings(env, flagValues(values));
  const server = await startServer(serverOptionsFrom(settings));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: "stopping", signal })}\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Before the "listening" line: a supervisor (or a test) that stops the server as soon as it reads
  // that line must find the handler there, not Node's default (killed by the signal, no clean close).
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (server.generatedRootToken) {
    // Printed once, to the terminal only; the database keeps its hash.
    process.stderr.write(`\nRoot token (shown once, store it now): ${server.generatedRootToken}\n\n`);
  }
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: "listening", url: server.url, database: server.databaseKind })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`apikeys-server: ${startFailureMessage(error)}\n`);
  process.exit(1);
});
