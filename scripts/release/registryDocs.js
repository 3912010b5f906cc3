#!/usr/bin/env node
// The Pulumi Registry pages of the apikeys package (docs/_index.md and docs/installation-configuration.md
// in a provider's repository), made from its schema: the version, the download URL and the config
// variables come from it, so a new setting or a release cannot leave the pages behind.
//   node scripts/release/registryDocs.js --write   rewrites docs/registry/ from the built schema (dist/)
//     with the default release settings; test/e2e/release.test.ts checks the committed pages against it.
// The release build (scripts/release/build.js) writes the same pages from the schema its plugin serves.
"use strict";
const fs = require("node:fs");
const { join } = require("node:path");
const { releaseSettings } = require("./settings");

/** What each `apikeys:*` setting means. A setting the schema has and this list lacks stops the build. */
const CONFIG_DOCS = {
  endpoint: "The key API's base URL, e.g. `https://keys.example.com`. Coveo and Didomi default to their public API (Coveo's by region).",
  token: "The admin token the provider calls the key API with. Keep it a secret: `pulumi config set --secret apikeys:token ...`.",
  organizationId: "The organization the keys belong to.",
  backend: "The key API: `reference` (the apikeys-server, the default), `coveo`, `didomi`, or `http` (any key API described in a file: `apikeys:api`).",
  region: "The backend's region where it has several (Coveo: `us`, `eu`, `au`...): it picks the default endpoint.",
  api: "For `backend: http`: the path of the key API description (YAML or JSON; its JSON Schema is `schemas/key-api.schema.json` in the package), relative to the program's directory.",
};

/** `organizationId` -> `APIKEYS_ORGANIZATION_ID`: the environment variable the provider reads when stack config has no value. */
function environmentVariable(name) {
  return `APIKEYS_${name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}`;
}

/** The repository part of a GitHub release URL, or undefined. */
function githubRepository(url) {
  const match = /^https:\/\/github\.com\/([^/]+\/[^/]+)\/releases\/download\//.exec(url);
  return match ? match[1] : undefined;
}

function registryDocs(schema) {
  const version = schema.version;
  const downloadURL = schema.pluginDownloadURL;
  if (!downloadURL) throw new Error("the schema has no pluginDownloadURL: registry pages are made from a release build's schema");
  const at = (name) => `${downloadURL.replace("${VERSION}", version)}/${name}`;
  const repository = githubRepository(downloadURL);
  const goModule = schema.language.go.importBasePath.replace(/\/apikeys$/, "");
  const variables = Object.entries(schema.config.variables);
  const undocumented = variables.map(([name]) => name).filter((name) => !CONFIG_DOCS[name]);
  if (undocumented.length) throw new Error(`scripts/release/registryDocs.js has no words for apikeys:${undocumented.join(", apikeys:")}`);
  const resource = schema.resources["apikeys:index:ApiKey"];
  const secretOutputs = Object.entries(resource.properties)
    .filter(([, p]) => p.secret)
    .map(([name]) => `\`${name}\``);

  const index = `---
title: API keys
meta_desc: Create, rotate with a grace period, review and revoke API keys as Pulumi resources.
layout: package
---

<!-- Generated from the provider's schema by scripts/release/registryDocs.js: edit that script, not this page. -->

The API keys provider manages API keys as infrastructure: \`apikeys:index:ApiKey\` creates a key on the
key API (the reference key server \`apikeys-server\`, Coveo or Didomi), keeps its secret a Pulumi secret
(${secretOutputs.join(", ")}), updates privileges in place where the API can, and rotates by creating the new key
first and revoking the old one only after a grace period.

Version ${version}. The provider is a plugin, \`pulumi-resource-apikeys\`, a single executable: it needs
no Node.js where it runs. See [Installation & Configuration](installation-configuration) to set it up.

## Example

{{< chooser language "typescript,python,go,yaml" >}}

{{% choosable language typescript %}}

\`\`\`typescript
import * as pulumi from "@pulumi/pulumi";
import { NativeApiKey } from "pulumi-apikeys";

const search = new NativeApiKey("search", {
    description: "Storefront search; owned by team web",
    privileges: [{ owner: "SEARCH_API", targetDomain: "EXECUTE_QUERY", type: "ENABLE" }],
    rotation: { trigger: "2027-01", gracePeriodSeconds: 600 },
});

export const keyId = search.keyId;
export const secret = search.secret;
\`\`\`

{{% /choosable %}}

{{% choosable language python %}}

\`\`\`python
import pulumi
import pulumi_apikeys as apikeys

search = apikeys.ApiKey(
    "search",
    description="Storefront search; owned by team web",
    privileges=[apikeys.PrivilegeArgs(owner="SEARCH_API", target_domain="EXECUTE_QUERY", type="ENABLE")],
    rotation=apikeys.RotationArgs(trigger="2027-01", grace_period_seconds=600),
)

pulumi.export("keyId", search.key_id)
pulumi.export("secret", search.secret)
\`\`\`

{{% /choosable %}}

{{% choosable language go %}}

\`\`\`go
package main

import (
	"${goModule}/apikeys"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		search, err := apikeys.NewApiKey(ctx, "search", &apikeys.ApiKeyArgs{
			Description: pulumi.String("Storefront search; owned by team web"),
			Privileges: apikeys.PrivilegeArray{
				apikeys.PrivilegeArgs{Owner: pulumi.String("SEARCH_API"), TargetDomain: pulumi.String("EXECUTE_QUERY"), Type: pulumi.String("ENABLE")},
			},
			Rotation: &apikeys.RotationArgs{Trigger: pulumi.String("2027-01"), GracePeriodSeconds: pulumi.Int(600)},
		})
		if err != nil {
			return err
		}
		ctx.Export("keyId", search.KeyId)
		ctx.Export("secret", search.Secret)
		return nil
	})
}
\`\`\`

{{% /choosable %}}

{{% choosable language yaml %}}

\`\`\`yaml
resources:
  search:
    type: apikeys:ApiKey
    properties:
      description: Storefront search; owned by team web
      privileges:
        - owner: SEARCH_API
          targetDomain: EXECUTE_QUERY
          type: ENABLE
      rotation:
        trigger: "2027-01"
        gracePeriodSeconds: 600
outputs:
  keyId: \${search.keyId}
  secret: \${search.secret}
\`\`\`

{{% /choosable %}}

{{< /chooser >}}

Change \`rotation.trigger\` to rotate: the next \`pulumi up\` creates a new key, and the old one keeps
working for \`gracePeriodSeconds\` before it is revoked.
`;

  const table = variables
    .map(([name, p]) => `| \`apikeys:${name}\` | \`${environmentVariable(name)}\` | ${p.type}${p.secret ? " (secret)" : ""} | ${CONFIG_DOCS[name]} |`)
    .join("\n");
  const installation = `---
title: API keys Installation & Configuration
meta_desc: Install the API keys provider and its SDKs, and configure the key API it talks to.
layout: package
---

<!-- Generated from the provider's schema by scripts/release/registryDocs.js: edit that script, not this page. -->

## Installation

The provider plugin is \`pulumi-resource-apikeys\`, a single executable released as
\`pulumi-resource-apikeys-v<version>-<os>-<arch>.tar.gz\` (linux-amd64, linux-arm64) at
\`${downloadURL}\`. Each SDK names the plugin's version and that address, so the
Pulumi engine downloads and installs the plugin itself on the first \`pulumi up\` or \`pulumi preview\`.
To install it ahead of time (or for Pulumi YAML):

\`\`\`sh
pulumi plugin install resource apikeys ${version} --server '${downloadURL}'
\`\`\`

The SDKs, version ${version}:

* **Python**: the \`pulumi_apikeys\` wheel of the release:
  \`\`\`sh
  pip install ${at(`pulumi_apikeys-${version}-py3-none-any.whl`)}
  \`\`\`
* **Go**: the module \`${goModule}\`, from the release's archive:
  \`\`\`sh
  mkdir -p sdk/go && curl -sL ${at(`pulumi-apikeys-sdk-go-v${version}.tar.gz`)} | tar -xz -C sdk/go
  go mod edit -require ${goModule}@v${version} -replace ${goModule}=./sdk/go
  \`\`\`
* **TypeScript / JavaScript**: the npm package \`pulumi-apikeys\` (\`NativeApiKey\`; its dynamic \`ApiKey\` needs no plugin at all):
  \`\`\`sh
  npm install pulumi-apikeys@${version}
  \`\`\`
  then install the plugin as above.
* **YAML**: nothing to install besides the plugin: \`type: apikeys:ApiKey\`.
${repository ? `\nEvery file of a release (the plugin archives, the npm tarballs, the wheel and sdist, the Go module's files) is listed with its SHA-256 in \`SHA256SUMS\`, attached to each release (https://github.com/${repository}/releases); check the files you downloaded with \`sha256sum -c --ignore-missing SHA256SUMS\` in their folder.\n` : ""}
## Configuration

The provider reads these settings from the stack's configuration, then from environment variables.
A resource's \`connection\` input overrides them for that key.

| Setting | Environment variable | Type | Description |
| --- | --- | --- | --- |
${table}

\`\`\`sh
pulumi config set apikeys:endpoint https://keys.example.com
pulumi config set apikeys:organizationId <organization id>
pulumi config set --secret apikeys:token <admin token>
\`\`\`

The token is kept encrypted in the stack's state, like every secret setting, and the provider removes
\`APIKEYS_TOKEN\` from its own environment once it has read it.
`;
  return { "_index.md": index, "installation-configuration.md": installation };
}

/** The schema the repository's build serves, with the release build's default settings (the published pages). */
function defaultReleaseSchema(root = join(__dirname, "..", "..")) {
  const { packageSchema } = require(join(root, "dist", "provider", "native", "schema.js"));
  const { version } = require(join(root, "package.json"));
  const { repository: _repository, ...settings } = releaseSettings();
  return packageSchema(version, settings);
}

if (require.main === module) {
  const root = join(__dirname, "..", "..");
  const pages = registryDocs(defaultReleaseSchema(root));
  if (process.argv.includes("--write")) {
    fs.mkdirSync(join(root, "docs", "registry"), { recursive: true });
    for (const [name, text] of Object.entries(pages)) fs.writeFileSync(join(root, "docs", "registry", name), text);
  } else {
    for (const [name, text] of Object.entries(pages)) process.stdout.write(`==> ${name}\n${text}\n`);
  }
}

module.exports = { registryDocs, defaultReleaseSchema, environmentVariable, CONFIG_DOCS };
