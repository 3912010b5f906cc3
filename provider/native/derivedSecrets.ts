import type { SecretPath } from "./secrets";

/**
 * Outputs made from an input of another name: when that input (or a part of it) arrived secret, the
 * output is returned secret too. Outputs of the same name as an input (description, metadata, the
 * connection...) follow the input's own paths.
 */
const DERIVED_OUTPUTS: ReadonlyArray<{ readonly from: SecretPath; readonly outputs: readonly string[] }> = [
  { from: ["connection", "organizationId"], outputs: ["organizationId"] },
  { from: ["connection", "backend"], outputs: ["backend"] },
  // The API computes the expiry from the lifetime.
  { from: ["lifetime"], outputs: ["expiresAt"] },
  // The adopted key's id is the key's id (the resource id itself is never secret in Pulumi's state).
  { from: ["adoptKeyId"], outputs: ["keyId"] },
];

/** Whether `path` is `prefix` or lies inside it, or holds it (a secret `connection` holds its organizationId). */
function overlaps(path: SecretPath, prefix: SecretPath): boolean {
  const shorter = Math.min(path.length, prefix.length);
  return path.slice(0, shorter).every((segment, i) => segment === prefix[i]);
}

/** The output paths to mark secret for inputs that arrived secret at `inputPaths`. */
export function outputSecretPaths(inputPaths: readonly SecretPath[]): SecretPath[] {
  const derived = DERIVED_OUTPUTS.filter((d) => inputPaths.some((p) => overlaps(p, d.from))).flatMap((d) => d.outputs.map((name) => [name]));
  return [...inputPaths, ...derived];
}
