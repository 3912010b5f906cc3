import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../..");

/**
 * What the suites need besides npm packages, each found (or installed and started) by the script
 * that `npm test` runs for it, and handed to the tests in an environment variable. Already set (as
 * `npm test` sets them, or by hand to use one's own) means used as it is.
 */
const SERVICES = {
  /** A PostgreSQL admin URL: the server's suites run on SQLite and on PostgreSQL. */
  APIKEYS_TEST_POSTGRES_URL: "ensure-postgres.sh",
  /** A virtualenv's bin directory with Pulumi's Python SDK and Schemathesis (Python stacks, the OpenAPI fuzz test). */
  APIKEYS_TEST_PYTHON_BIN: "ensure-python.sh",
  /** A Chromium for the console's browser tests. */
  APIKEYS_TEST_CHROMIUM: "ensure-chromium.sh",
  /** The folder of an installed JupyterHub (a real key server nobody here wrote: the described-API tests). */
  APIKEYS_TEST_JUPYTERHUB: "ensure-jupyterhub.sh",
  /** The folder of an installed Strapi (the second real key server; about 2 minutes to install the first time). */
  APIKEYS_TEST_STRAPI: "ensure-strapi.sh",
} as const;
export type ServiceVariable = keyof typeof SERVICES;

/**
 * Sets each variable that is not set from its script's answer, and the settings every suite
 * expects: Node's own headers for native builds (nothing can be downloaded from Node's site) and no
 * colours (Node 20.20's util.inspect hangs on coloured Pulumi stack frames: docs/DEVELOPMENT.md).
 * Run by Jest before a project's first test file (a project's `globalSetup`), so `npx jest <file>`
 * and `npm run test:unit` work on their own, as `npm test` does.
 */
export function ensureServices(variables: readonly ServiceVariable[]): void {
  process.env.FORCE_COLOR ??= "0";
  process.env.NO_COLOR ??= "1";
  process.env.npm_config_nodedir ??= script("nodedir.sh");
  for (const variable of variables) process.env[variable] ??= script(SERVICES[variable]);
}

/**
 * One service's variable, installed on first use when it is not set: for what only a few files need
 * (the real key servers), so a run of other files never waits for their install.
 */
export function service(variable: ServiceVariable): string {
  return (process.env[variable] ??= script(SERVICES[variable]));
}

function script(name: string): string {
  // Progress lines go to the terminal (stderr); the answer is the script's last line of stdout.
  const out = execFileSync("bash", [join(root, "scripts", name)], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const answer = out.trim().split("\n").pop() ?? "";
  if (!answer) throw new Error(`scripts/${name} printed nothing: run it by hand to see why`);
  return answer;
}
