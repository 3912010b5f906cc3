import { packageSchema } from "./schema";

const made = new Map<string, string>();

/**
 * The package schema as GetSchema answers it, made on first use and kept: building it from the zod
 * schemas takes ~20 ms, which a plugin start should not pay when the engine never asks. It depends
 * only on the version and the release settings baked into the bundle, so the release executable
 * makes it while its startup snapshot is built (provider/native/main.ts) and starts with it made.
 */
export function packageSchemaJson(version: string): string {
  const known = made.get(version);
  if (known !== undefined) return known;
  const json = JSON.stringify(packageSchema(version));
  made.set(version, json);
  return json;
}
