import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONNECTION_SETTINGS } from "../../provider/connection/settings";
import { packageSchema } from "../../provider/native/schema";
import { repoRoot } from "../helpers/engine";

const { registryDocs, environmentVariable } = require("../../scripts/release/registryDocs") as {
  registryDocs(schema: Record<string, unknown>): Record<string, string>;
  environmentVariable(name: string): string;
};
const { releaseSettings } = require("../../scripts/release/settings") as {
  releaseSettings(env?: Record<string, string>): { repository: string; pluginDownloadURL: string; goImportBasePath: string };
};

/** The schema a release with the default settings serves, from the sources as they are now (no build needed). */
function releaseSchema() {
  const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
  const { repository: _repository, ...settings } = releaseSettings();
  return packageSchema(version, settings) as { config: { variables: Record<string, unknown> } };
}

/**
 * docs/registry/ is what the Pulumi Registry shows for the package; scripts/release/registryDocs.js makes
 * it from the schema, so a new setting, a renamed SDK or a new version shows up here as a failure.
 */
describe("the registry pages (docs/registry/)", () => {
  test.each(["_index.md", "installation-configuration.md"])("%s is what the schema makes (node scripts/release/registryDocs.js --write)", (page) => {
    const made = registryDocs(releaseSchema())[page];
    expect(readFileSync(join(repoRoot, "docs", "registry", page), "utf8")).toBe(made);
  });

  test("the configuration table names each apikeys:* setting with the environment variable the provider reads for it", () => {
    const table = registryDocs(releaseSchema())["installation-configuration.md"];
    const names = Object.keys(releaseSchema().config.variables);
    expect(names).toEqual(expect.arrayContaining(["endpoint", "token", "organizationId"]));
    for (const name of names) {
      expect(table).toContain(`| \`apikeys:${name}\` | \`${environmentVariable(name)}\` |`);
      // The variable both providers read for it (provider/connection/settings.ts).
      const setting = (CONNECTION_SETTINGS as Record<string, { envVar: string } | undefined>)[name];
      expect({ name, envVar: setting?.envVar }).toEqual({ name, envVar: environmentVariable(name) });
    }
  });

  test("the download URL and Go module follow APIKEYS_GITHUB_REPOSITORY and APIKEYS_PLUGIN_DOWNLOAD_URL", () => {
    expect(releaseSettings({ APIKEYS_GITHUB_REPOSITORY: "acme/pulumi-apikeys" })).toEqual({
      repository: "acme/pulumi-apikeys",
      pluginDownloadURL: "https://github.com/acme/pulumi-apikeys/releases/download/v${VERSION}",
      goImportBasePath: "github.com/acme/pulumi-apikeys/sdk/go/apikeys",
    });
    expect(releaseSettings({ APIKEYS_PLUGIN_DOWNLOAD_URL: "http://127.0.0.1:8080/v${VERSION}" }).pluginDownloadURL).toBe("http://127.0.0.1:8080/v${VERSION}");
    // The repository's own build has none of it: its schema points at no download and keeps the local Go path.
    const local = packageSchema("0.0.0") as { pluginDownloadURL?: string; language: { go: { importBasePath: string } } };
    expect(local.pluginDownloadURL).toBeUndefined();
    expect(local.language.go.importBasePath).toBe("pulumi-apikeys/sdk/go/apikeys");
  });
});
