#!/usr/bin/env node
import { parseArgs } from "node:util";
import { takeCredentialsFromEnvironment } from "../shared/scrubEnvironment";
import { startServer } from "./index";

const usage = `apikeys-server: the pulumi-apikeys reference key API

  --port N               APIKEYS_PORT (default 8787)
  --host H               APIKEYS_HOST (default 127.0.0.1)
  --database-url URL     DATABASE_URL (default sqlite:./.apikeys/apikeys.db, or postgres://...)
  --allow-non-loopback   APIKEYS_ALLOW_NON_LOOPBACK=1: listen beyond loopback (behind a TLS proxy only)
  APIKEYS_ROOT_TOKEN     the bootstrap root token (generated and printed once when unset)
  APIKEYS_PEPPER         the key for hashing secrets (generated and kept in the database when unset)
  APIKEYS_RATE_LIMIT     admin requests per second per token (default 200)
  APIKEYS_VERIFY_RATE_LIMIT  verify requests per second per source address (default 2000; 0: off)
  APIKEYS_FAILED_VERIFY_RATE_LIMIT  refused verifications per second per address and per key prefix (default 10, burst 50)
  APIKEYS_VERIFY_CACHE_MS  how long a verified key is served from memory (default 5000; 0: off)
`;

// Read once, then gone from the process environment (and so from any crash report).
const env = takeCredentialsFromEnvironment();

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "database-url": { type: "string" },
      "allow-non-loopback": { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const port = Number(values.port ?? env.APIKEYS_PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port / APIKEYS_PORT must be a port number, got "${values.port ?? env.APIKEYS_PORT}"`);
  const server = await startServer({
    port,
    host: values.host ?? env.APIKEYS_HOST ?? "127.0.0.1",
    databaseUrl: values["database-url"] ?? env.DATABASE_URL ?? "sqlite:./.apikeys/apikeys.db",
    rootToken: env.APIKEYS_ROOT_TOKEN || undefined,
    pepper: env.APIKEYS_PEPPER || undefined,
    rateLimitPerSecond: env.APIKEYS_RATE_LIMIT ? Number(env.APIKEYS_RATE_LIMIT) : undefined,
    verifyRateLimitPerSecond: env.APIKEYS_VERIFY_RATE_LIMIT ? Number(env.APIKEYS_VERIFY_RATE_LIMIT) : undefined,
    failedVerifyRateLimitPerSecond: env.APIKEYS_FAILED_VERIFY_RATE_LIMIT ? Number(env.APIKEYS_FAILED_VERIFY_RATE_LIMIT) : undefined,
    verifyCacheMs: env.APIKEYS_VERIFY_CACHE_MS ? Number(env.APIKEYS_VERIFY_CACHE_MS) : undefined,
    allowNonLoopback: values["allow-non-loopback"] || env.APIKEYS_ALLOW_NON_LOOPBACK === "1",
  });
  if (server.generatedRootToken) {
    // Printed once, to the terminal only; the database keeps its hash.
    process.stderr.write(`\nRoot token (shown once, store it now): ${server.generatedRootToken}\n\n`);
  }
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg: "listening", url: server.url, database: server.databaseKind })}\n`);
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
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((error: Error) => {
  process.stderr.write(`apikeys-server: ${error.message}\n`);
  process.exit(1);
});
