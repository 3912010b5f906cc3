import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./engine";

/**
 * Writes `pulumi-resource-apikeys` into `dir`: the native provider's plugin as the engine starts it
 * from PATH (what the package's bin is once installed). Returns its path.
 */
export function writeNativePlugin(dir: string): string {
  const launcher = join(dir, "pulumi-resource-apikeys");
  writeFileSync(launcher, `#!/bin/sh\nexec "${process.execPath}" "${join(repoRoot, "dist", "provider", "native", "main.js")}" "$@"\n`);
  chmodSync(launcher, 0o755);
  return launcher;
}
