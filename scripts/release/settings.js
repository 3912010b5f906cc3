// What a release bakes into the plugin and its SDKs (see provider/native/schema.ts ReleaseSettings),
// from the environment of the release build, or the defaults the published registry pages use.
"use strict";

/** The GitHub repository releases are published from, until the project names its own. */
const DEFAULT_REPOSITORY = "pulumi-apikeys/pulumi-apikeys";

/**
 * APIKEYS_GITHUB_REPOSITORY (owner/name) names the Go module and the default download URL;
 * APIKEYS_PLUGIN_DOWNLOAD_URL replaces the download URL (`${VERSION}` is filled in by the engine).
 */
function releaseSettings(env = {}) {
  const repository = env.APIKEYS_GITHUB_REPOSITORY || DEFAULT_REPOSITORY;
  return {
    repository,
    pluginDownloadURL: env.APIKEYS_PLUGIN_DOWNLOAD_URL || `https://github.com/${repository}/releases/download/v\${VERSION}`,
    goImportBasePath: `github.com/${repository}/sdk/go/apikeys`,
  };
}

module.exports = { DEFAULT_REPOSITORY, releaseSettings };
