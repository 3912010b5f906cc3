import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./engine";

const run = promisify(execFile);
export const toolsBin = join(repoRoot, ".tools", "bin");

/** A project run by the `pulumi` CLI itself (a YAML, Python or Go program), on a file backend in its own folder. */
export interface CliProject {
  readonly dir: string;
  /** The project's own `node_modules/pulumi-apikeys/bin/pulumi-resource-apikeys`, as `npm install pulumi-apikeys` leaves it. */
  readonly plugin: string;
  /** Runs `pulumi <args>` in the project; a failure throws with the command's output. */
  pulumi(args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Every file the file backend wrote (stacks, backups, history), as text: to search for secrets. */
  stateText(): string;
}

/**
 * A folder holding `files` and what `npm install pulumi-apikeys` leaves there (the package linked
 * into node_modules), with the environment `extraEnv(dir, plugin)` adds for the language (an SDK,
 * a virtualenv on PATH).
 */
export async function cliProject(
  dir: string,
  files: Record<string, string>,
  extraEnv: (project: string, plugin: string) => Promise<Record<string, string>> = async () => ({}),
): Promise<CliProject> {
  mkdirSync(join(dir, "state"), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repoRoot, join(dir, "node_modules", "pulumi-apikeys"));
  const plugin = join(dir, "node_modules", "pulumi-apikeys", "bin", "pulumi-resource-apikeys");
  const env = {
    ...process.env,
    PATH: `${toolsBin}:${process.env.PATH}`,
    PULUMI_BACKEND_URL: `file://${join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "cli-project",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    NO_COLOR: "1",
    ...(await extraEnv(dir, plugin)),
  };
  const pulumi = (args: string[]) =>
    run(join(toolsBin, "pulumi"), args, { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`pulumi ${args[0]} failed: ${error.message}\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
      },
    );
  const stateText = () =>
    readdirSync(join(dir, "state"), { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => readFileSync(join(f.parentPath, f.name), "utf8"))
      .join("\n");
  return { dir, plugin, pulumi, stateText };
}

/** The schema the plugin serves, as `pulumi package get-schema` prints it, written beside the project. */
async function schemaFile(project: string, plugin: string): Promise<string> {
  const schema = join(project, "..", "schema.json");
  writeFileSync(schema, (await run(join(toolsBin, "pulumi"), ["package", "get-schema", plugin], { maxBuffer: 16 * 1024 * 1024 })).stdout);
  return schema;
}

/**
 * A Python project's environment: the SDK generated from the plugin's schema by Pulumi's code
 * generators, installed (not only on the path: it reads its own version from its package metadata),
 * and the virtualenv with Pulumi's Python SDK (scripts/ensure-python.sh) first on PATH.
 */
export async function pythonSdkEnv(project: string, plugin: string): Promise<Record<string, string>> {
  const pythonBin = process.env.APIKEYS_TEST_PYTHON_BIN;
  if (!pythonBin) throw new Error("APIKEYS_TEST_PYTHON_BIN is not set: run the tests with npm test (scripts/ensure-python.sh makes the virtualenv)");
  const sdk = join(project, "..", "sdk");
  const site = join(project, "..", "site");
  await run(join(toolsBin, "apikeys-gensdk"), [await schemaFile(project, plugin), "python", sdk]);
  await run(join(pythonBin, "pip"), ["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", site, sdk]);
  return { PATH: `${pythonBin}:${toolsBin}:${process.env.PATH}`, PYTHONPATH: site };
}

/** A Go project's environment: the SDK generated the same way into `sdk/go`, its module tidied. */
export async function goSdkEnv(project: string, plugin: string): Promise<Record<string, string>> {
  await run(join(toolsBin, "apikeys-gensdk"), [await schemaFile(project, plugin), "go", join(project, "sdk", "go")]);
  const env = { ...process.env, GOFLAGS: "-mod=mod", GONOSUMDB: "github.com/pulumi/pulumi" };
  await run("go", ["mod", "tidy"], { cwd: project, env, maxBuffer: 16 * 1024 * 1024 });
  return { GOFLAGS: env.GOFLAGS, GONOSUMDB: env.GONOSUMDB };
}
