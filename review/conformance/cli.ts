import { parseArgs } from "node:util";
import { messageOf } from "../../shared/caught";
import { runConformance, type BehaviourResult, type Outcome } from "./behaviours";

const CONFORMANCE_USAGE = `pulumi-apikeys conformance --api FILE [--endpoint URL] [--token-env NAME] [--scope SCOPE]... [--format text|json]

Runs a key API description (connection.backend: http) against the real API through the provider's
own hooks, as a stack would: create, read, update in place, disable, rotation, delete. It makes one
key (named "pulumi-apikeys conformance <random>") and deletes every key it made before it ends.

Per behaviour: passed; not supported by the description (and what the provider does instead, which
is checked too); failed (with the API's or the provider's answer: never a secret or the token); not
run (an earlier step failed). Exit 1 on any failure, 0 otherwise.

--api FILE        the description (YAML or JSON), e.g. examples/key-apis/jupyterhub.yaml
--endpoint URL    the API's base URL, over the description's baseUrl (as connection.endpoint)
--token-env NAME  the environment variable holding the token; by default the description's
                  auth.tokenFromEnv, else APIKEYS_TOKEN
--scope SCOPE     a scope the test key is declared with (repeat it); for an API that refuses a key
                  without any (Strapi)
--format json     the results as JSON
`;

/** What the conformance command reads and writes: the process's, or a test's. */
export interface ConformanceIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const MARK: Record<Outcome, string> = { passed: "passed", "not supported": "not supported", failed: "FAILED", "not run": "not run" };

/** The results as a person reads them: one line per behaviour, then the counts. */
function conformanceText(api: string, results: readonly BehaviourResult[]): string {
  const width = Math.max(...results.map((r) => r.behaviour.length));
  const lines = results.map((r) => `${MARK[r.outcome].padEnd(13)}  ${r.behaviour.padEnd(width)}  ${r.detail}`);
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  const summary = (["passed", "not supported", "failed", "not run"] as const).map((o) => `${count(o)} ${o}`).join(", ");
  return `conformance of ${api}\n\n${lines.join("\n")}\n\n${summary}\n`;
}

/** The `conformance` command: resolves to the exit code. */
export async function runConformanceCommand(argv: string[], io: ConformanceIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        api: { type: "string" },
        endpoint: { type: "string" },
        "token-env": { type: "string" },
        scope: { type: "string", multiple: true, default: [] },
        format: { type: "string", default: "text" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    io.stderr(`conformance: ${messageOf(error)}\n${CONFORMANCE_USAGE}`);
    return 64;
  }
  if (values.help) {
    io.stdout(CONFORMANCE_USAGE);
    return 0;
  }
  if (!values.api) {
    io.stderr(`conformance: --api is required: the key API description to run, e.g. --api my-api.yaml\n`);
    return 64;
  }
  if (values.format !== "text" && values.format !== "json") {
    io.stderr(`conformance: --format must be text or json, got "${values.format}"\n`);
    return 64;
  }
  const env = io.env ?? process.env;
  let token: string | undefined;
  const tokenEnv = values["token-env"];
  if (tokenEnv !== undefined) {
    token = env[tokenEnv];
    if (!token) {
      io.stderr(`conformance: --token-env ${tokenEnv}: the environment variable ${tokenEnv} is not set (or empty); export the API's token in it\n`);
      return 64;
    }
  }
  const results = await runConformance({
    api: values.api,
    cwd: io.cwd ?? process.cwd(),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(token ? { token } : {}),
    scopes: values.scope,
    env,
  });
  io.stdout(values.format === "json" ? `${JSON.stringify({ api: values.api, results }, null, 2)}\n` : conformanceText(values.api, results));
  return results.some((r) => r.outcome === "failed") ? 1 : 0;
}
