#!/usr/bin/env node
import { parseArgs } from "node:util";
import { takeCredentialsFromEnvironment } from "../shared/scrubEnvironment";
import { startServer } from "./index";
import { parseServerSettings } from "./settings";

const usage = `apikeys-server: the pulumi-apikeys reference key API

  --port N               APIKEYS_PORT (default 8787; 0 picks a free port)
  --host H               APIKEYS_HOST (default 127.0.0.1)
  --database-url URL     DATABASE_URL (default sqlite:./.apikeys/apikeys.db, or postgres://...); @/path reads the URL from a file.
                         A URL with a password is refused as a flag (ps shows command lines): use DATABASE_URL or @/path
  --allow-non-loopback   APIKEYS_ALLOW_NON_LOOPBACK=1: listen beyond loopback (behind a TLS proxy only)
  APIKEYS_ROOT_TOKEN     the bootstrap root token, at least 32 characters (generated and printed once when unset)
  APIKEYS_PEPPER         the key for hashing secrets, at least 32 characters (generated and kept in the database when unset; fixed for the database's life)
  APIKEYS_RATE_LIMIT     admin requests per second per token (default 200; 0: off)
  APIKEYS_VERIFY_RATE_LIMIT  verifications per second per client address before its refused ones answer 429 (default 2000; 0: off)
  APIKEYS_FAILED_VERIFY_RATE_LIMIT  refused verifications and admin sign-ins per second per client address and per key prefix (default 10, burst 50; 0: off)
  APIKEYS_VERIFY_CACHE_MS  how long a verified key is served from memory (default 5000; 0: off)
  APIKEYS_TRUSTED_PROXIES  addresses or CIDR ranges of your proxies, e.g. 10.0.0.0/8; only their forwarded header is believed (default: none)
  APIKEYS_CLIENT_IP_HEADER the header those proxies set (default x-forwarded-for; or x-real-ip, cf-connecting-ip, ...)
  APIKEYS_LEAK_ALERT_KEYS  the public keys that sign secret-scanning alerts (GitHub's JSON, or @file.json); unset: alerts answer 503

A valid key or token is never refused by a limit: limits apply to refused attempts only.
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
  const settings = parseServerSettings(env, {
    APIKEYS_PORT: values.port,
    APIKEYS_HOST: values.host,
    DATABASE_URL: values["database-url"],
    APIKEYS_ALLOW_NON_LOOPBACK: values["allow-non-loopback"] ? "1" : undefined,
  });
  const server = await startServer({
    port: settings.APIKEYS_PORT,
    host: settings.APIKEYS_HOST,
    databaseUrl: settings.DATABASE_URL,
    rootToken: settings.APIKEYS_ROOT_TOKEN,
    pepper: settings.APIKEYS_PEPPER,
    rateLimitPerSecond: settings.APIKEYS_RATE_LIMIT,
    verifyRateLimitPerSecond: settings.APIKEYS_VERIFY_RATE_LIMIT,
    failedVerifyRateLimitPerSecond: settings.APIKEYS_FAILED_VERIFY_RATE_LIMIT,
    verifyCacheMs: settings.APIKEYS_VERIFY_CACHE_MS,
    allowNonLoopback: settings.APIKEYS_ALLOW_NON_LOOPBACK,
    trustedProxies: settings.APIKEYS_TRUSTED_PROXIES,
    clientIpHeader: settings.APIKEYS_CLIENT_IP_HEADER,
    leakAlertKeys: settings.APIKEYS_LEAK_ALERT_KEYS,
  });
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

main().catch((error: Error) => {
  process.stderr.write(`apikeys-server: ${error.message}\n`);
  process.exit(1);
});
