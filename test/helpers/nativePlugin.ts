import { join } from "node:path";
import { repoRoot } from "./engine";

/**
 * The folder holding `pulumi-resource-apikeys`, the native provider's plugin, as the package ships
 * it (`bin/`): a project names it in Pulumi.yaml (`plugins.providers`) and the engine starts the
 * plugin from there, exactly as a user's installed `node_modules/pulumi-apikeys/bin`.
 */
export const nativePluginDir = join(repoRoot, "bin");

/** The plugin itself, for `pulumi package get-schema`. */
export const nativePlugin = join(nativePluginDir, "pulumi-resource-apikeys");

/** Pulumi.yaml's `plugins` entry that makes the engine use the plugin in `dir`. */
export function nativePluginSettings(dir = nativePluginDir) {
  return { providers: [{ name: "apikeys", path: dir }] };
}
