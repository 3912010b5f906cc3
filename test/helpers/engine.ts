import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { inspect } from "node:util";
import * as auto from "@pulumi/pulumi/automation";
import type { ApiKeyArgs } from "../../provider";

// Node 20.20's util.inspect takes ~20 s and throws on coloured stack frames of node_modules/@pulumi
// TypeScript sources (nodejs/node#64011); the SDK inspects every program error that way.
inspect.defaultOptions.colors = false;

export const repoRoot = resolve(__dirname, "../..");
const toolsDir = join(repoRoot, ".tools");

/**
 * An example program as `pulumi up` runs it, for an inline stack: its compiled JavaScript
 * (dist/examples/NAME/index.js) evaluated afresh on every run (jest's module registry would hand back
 * the first run's exports), its relative imports resolved beside it and its packages, `pulumi-apikeys`
 * included, loaded by name through this process's require, so it registers with the engine the inline
 * program runs under.
 */
export function exampleProgram(name: string): () => Promise<Record<string, unknown>> {
  const path = join(repoRoot, "dist", "examples", name, "index.js");
  const requireHere = (id: string): unknown => require(id.startsWith(".") ? resolve(dirname(path), id) : id);
  return async () => {
    const module = { exports: {} as Record<string, unknown> };
    new Function("require", "module", "exports", "__filename", "__dirname", readFileSync(path, "utf8"))(
      requireHere,
      module,
      module.exports,
      path,
      dirname(path),
    );
    return module.exports;
  };
}

/** The Pulumi CLI that scripts/ensure-pulumi.sh built or linked. Missing is a failure, never a skip. */
export async function pulumiCommand(): Promise<auto.PulumiCommand> {
  if (!existsSync(join(toolsDir, "bin", "pulumi"))) {
    throw new Error("no Pulumi CLI in .tools/bin: run the tests with `npm test` (it runs scripts/ensure-pulumi.sh, which builds the CLI from its Go modules)");
  }
  return auto.PulumiCommand.get({ root: toolsDir });
}

export interface EngineStackOptions {
  readonly name: string;
  readonly endpoint: string;
  readonly organizationId: string;
  readonly token: string;
  /** Extra environment for the engine and the provider (e.g. the retry budget). */
  readonly env?: Record<string, string>;
  /** A program of its own (an example's) instead of the keys in `EngineStack.keys`. */
  readonly program?: () => Promise<Record<string, unknown> | void>;
  /** Pulumi.yaml's `plugins` (e.g. where the native provider's plugin is: test/helpers/nativePlugin). */
  readonly plugins?: { providers: Array<{ name: string; path: string }> };
  /** Stack config besides the connection (e.g. `apikeys:backend`). */
  readonly config?: Record<string, { value: string; secret?: boolean }>;
}

/** Output lines of every engine command the stack ran, to search for secrets. */
export type EngineLog = string[];

/**
 * A stack on a local file:// backend with a passphrase, whose program declares the keys in `keys`
 * (change it between operations). The program runs inline (the Automation API's language host),
 * and `pulumi` itself, the real engine and the dynamic-provider host do everything else.
 */
export class EngineStack {
  keys: Record<string, ApiKeyArgs> = {};
  /** Which class declares `keys`: the dynamic ApiKey, or the native provider's NativeApiKey (needs `plugins`). */
  resourceClass: "ApiKey" | "NativeApiKey" = "ApiKey";
  readonly log: EngineLog = [];
  private constructor(
    readonly stack: auto.Stack,
    readonly workDir: string,
  ) {}

  static async create(options: EngineStackOptions): Promise<EngineStack> {
    const workDir = join(repoRoot, "test", ".artifacts", `${options.name}-${Date.now().toString(36)}`);
    const stateDir = join(workDir, "state");
    mkdirSync(stateDir, { recursive: true });
    let self: EngineStack | undefined;
    const keysProgram = async () => {
      // Loaded by package name, exactly as a user's program does (the repo links itself into node_modules).
      const apikeys: typeof import("../../provider") = require("pulumi-apikeys");
      const exports: Record<string, unknown> = {};
      for (const [name, args] of Object.entries(self!.keys)) {
        const key = new apikeys[self!.resourceClass](name, args);
        exports[`${name}.keyId`] = key.keyId;
        exports[`${name}.secret`] = key.secret;
      }
      return exports;
    };
    const stack = await auto.LocalWorkspace.createStack(
      { stackName: "e2e", projectName: "apikeys-e2e", program: options.program ?? keysProgram },
      {
        workDir,
        // The Automation API's type has no `plugins`; it writes Pulumi.yaml from this object as it is.
        ...(options.plugins ? { projectSettings: { name: "apikeys-e2e", runtime: "nodejs", plugins: options.plugins } as auto.ProjectSettings } : {}),
        pulumiCommand: await pulumiCommand(),
        pulumiHome: join(workDir, "home"),
        envVars: {
          PATH: `${join(toolsDir, "bin")}:${process.env.PATH}`,
          PULUMI_BACKEND_URL: `file://${stateDir}`,
          PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
          NO_COLOR: "1",
          APIKEYS_RETRY_BASE_MS: "50",
          ...options.env,
        },
      },
    );
    await stack.setAllConfig({
      "apikeys:endpoint": { value: options.endpoint },
      "apikeys:organizationId": { value: options.organizationId },
      "apikeys:token": { value: options.token, secret: true },
      ...options.config,
    });
    self = new EngineStack(stack, workDir);
    return self;
  }

  private onOutput = (line: string) => this.log.push(line);

  up(options: { parallel?: number } = {}) {
    return this.stack.up({ onOutput: this.onOutput, color: "never", ...options });
  }
  preview(options: { diff?: boolean; policyPacks?: string[]; policyPackConfigs?: string[]; parallel?: number } = {}) {
    return this.stack.preview({ onOutput: this.onOutput, color: "never", ...options });
  }
  /**
   * `pulumi preview --json`, exactly what a CI job feeds to `pulumi-apikeys review`. The Automation
   * API has no option for it, so its own CLI call gets the flag appended.
   */
  async previewJson(): Promise<{ json: any; text: string }> {
    const internal = this.stack as unknown as { runPulumiCmd: (args: string[], ...rest: unknown[]) => Promise<{ stdout: string }> };
    const original = internal.runPulumiCmd;
    internal.runPulumiCmd = (args, ...rest) => original.call(this.stack, [...args, "--json"], ...rest);
    try {
      const result = await this.stack.preview({ color: "never" });
      return { json: JSON.parse(result.stdout), text: result.stdout };
    } finally {
      internal.runPulumiCmd = original;
    }
  }
  /** The resources in the stack's latest state (through the Automation API: secrets decrypted, so never for secret checks). */
  async resources(): Promise<Array<{ urn: string; id?: string; outputs?: Record<string, unknown> }>> {
    const exported = await this.stack.exportStack();
    return (exported.deployment as { resources?: Array<{ urn: string; id?: string; outputs?: Record<string, unknown> }> }).resources ?? [];
  }
  /** `pulumi import` of existing resources (a native provider's resources only). */
  import(options: auto.ImportOptions) {
    return this.stack.import({ onOutput: this.onOutput, color: "never", ...options });
  }
  refresh(options: { parallel?: number } = {}) {
    return this.stack.refresh({ onOutput: this.onOutput, color: "never", ...options });
  }
  destroy(options: { parallel?: number } = {}) {
    return this.stack.destroy({ onOutput: this.onOutput, color: "never", ...options });
  }
  /**
   * The stack's state file as the file:// backend wrote it to disk (the Automation API's exportStack
   * decrypts secrets, so it would prove nothing), with its backups.
   */
  exportedState(): string {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.includes(".json")) files.push(readFileSync(path, "utf8"));
      }
    };
    walk(join(this.workDir, "state"));
    if (files.length === 0) throw new Error(`no state file under ${this.workDir}/state`);
    return files.join("\n");
  }
  async dispose(): Promise<void> {
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
