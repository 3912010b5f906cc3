import { execFileSync } from "node:child_process";
import { z } from "zod";
import { errorCodeOf, messageOf } from "../../shared/caught";
import { isApiKeyType } from "../../shared/resourceTypes";
import { REPORTED_OUTPUTS } from "./keyRecords";
import { cleanKeyOutputs, holdsPlaintext } from "./secrets";

/**
 * The parts of `pulumi stack export` the credential report reads. Loose on purpose, like the
 * review's preview schema: the engine adds fields between versions and a report must not break on them.
 */
function stackExportSchema() {
  const resource = z.looseObject({
    urn: z.string(),
    type: z.string(),
    id: z.string().optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
    /** An old resource the engine still has to delete (a replacement that has not finished). */
    delete: z.boolean().optional(),
  });
  return z.looseObject({
    version: z.number().optional(),
    deployment: z.looseObject({
      // A stack that was never deployed (or was destroyed) exports no resources.
      resources: z.array(resource).nullable().optional(),
    }),
  });
}

export type StackExport = z.infer<ReturnType<typeof stackExportSchema>>;
export type ExportedResource = NonNullable<StackExport["deployment"]["resources"]>[number];

/** One export and where it came from: a file name, or the stack name given to `--stack`. */
export interface ExportSource {
  readonly source: string;
  readonly export: StackExport;
  /** The export holds decrypted secrets (`--show-secrets`): the report warns, and still never prints them. */
  readonly holdsPlaintext: boolean;
}

/** An export that cannot be read or is not one: names the file or stack and what was expected. */
export class StackExportError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = "StackExportError";
  }
}

/**
 * Parses the text of `pulumi stack export`; every secret in it is replaced (secrets.ts),
 * but for the fields the report reads of an ApiKey, which an export made with --show-secrets shows.
 */
export function parseStackExport(text: string, source: string): ExportSource {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StackExportError(source, "is not JSON: pass the output of `pulumi stack export`");
  }
  const result = stackExportSchema().safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new StackExportError(source, `is not \`pulumi stack export\` output: ${issue.path.join(".") || "root"}: ${issue.message}`);
  }
  const plaintext = holdsPlaintext(result.data.deployment.resources ?? []);
  const resources = (result.data.deployment.resources ?? []).map((r) => ({
    ...r,
    ...(r.outputs ? { outputs: cleanKeyOutputs(r.outputs, isApiKeyType(r.type) ? REPORTED_OUTPUTS : []) } : {}),
    // Inputs are not read, and hold the same secrets: dropped rather than cleaned.
    inputs: undefined,
  }));
  return { source, export: { ...result.data, deployment: { ...result.data.deployment, resources } }, holdsPlaintext: plaintext };
}

/**
 * `pulumi stack export --stack <name>`, never with --show-secrets: secrets stay ciphertext, and the
 * report needs no passphrase or key to read the rest. Run in `cwd` with `env` (the project's
 * directory and its backend settings).
 */
export function exportNamedStack(name: string, options: { cwd?: string; env?: NodeJS.ProcessEnv; pulumi?: string } = {}): string {
  try {
    return execFileSync(options.pulumi ?? "pulumi", ["stack", "export", "--stack", name], {
      cwd: options.cwd,
      env: options.env,
      encoding: "utf8",
      maxBuffer: 512 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    if (errorCodeOf(error) === "ENOENT") throw new StackExportError(name, "cannot run `pulumi`: install the Pulumi CLI or pass export files instead");
    // execFileSync's error carries the command's stderr, a string with encoding "utf8".
    const stderr = z.object({ stderr: z.string() }).safeParse(error).data?.stderr ?? "";
    const said = stderr.trim().split("\n").filter(Boolean).pop() ?? messageOf(error);
    throw new StackExportError(name, `\`pulumi stack export --stack ${name}\` failed: ${said}`);
  }
}
