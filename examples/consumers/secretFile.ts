import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** The file's content now, or undefined when there is none yet. */
function currentContent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Writes a secret to a file that a service on this machine (or on a volume it mounts) re-reads.
 * Only during `pulumi up`: a preview writes nothing. Atomically: the new content goes to a file
 * beside the old one, which is then renamed over it, so a service never reads half a secret. Mode
 * 0600: readable by the user that runs `pulumi up` only (run the service as that user, or change
 * the group). An unchanged secret leaves the file untouched, so a service watching it does not
 * reload for nothing. Returns the path (not secret), known once the file is written.
 */
export function writeSecretFile(secret: pulumi.Output<string>, path: string): pulumi.Output<string> {
  const written = secret.apply((value) => {
    if (!pulumi.runtime.isDryRun() && currentContent(path) !== value) {
      mkdirSync(dirname(path), { recursive: true });
      const next = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
      writeFileSync(next, value, { mode: 0o600 });
      renameSync(next, path);
    }
    return path;
  });
  // The path is derived from the secret's Output, so Pulumi would mark it secret too; it is not one.
  return pulumi.unsecret(written);
}
