/**
 * Environment variables that hold credentials. A process reads them once and then removes them
 * from its environment: Node's diagnostic reports (a crash dump written on a fatal error, an
 * uncaught exception or a signal) list every environment variable, and Node 20 cannot leave them out.
 */
export const CREDENTIAL_VARIABLES = ["APIKEYS_ROOT_TOKEN", "APIKEYS_PEPPER", "DATABASE_URL", "APIKEYS_TOKEN"] as const;

/** Returns a private copy of the environment and deletes the credential variables from the real one. */
export function takeCredentialsFromEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  return copy;
}
