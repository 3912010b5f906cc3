// PUBLISHING.md in the release folder: the steps that publish exactly what this build made, with its
// names filled in. Nothing here publishes: the machines that build releases reach no GitHub, npm or
// PyPI account, and a release is a person's decision.
"use strict";

/**
 * The guide for one release: `release` is what build.js recorded (release.json). The Go module's
 * folder in the repository follows from its path (github.com/<repository>/<folder>); a module below
 * the repository root is found by the tag `<folder>/v<version>`.
 */
function publishingGuide(release) {
  const v = release.version;
  const goModule = release.go?.module ?? `github.com/${release.repository}/sdk/go`;
  const goModuleDir = goModule.startsWith(`github.com/${release.repository}/`) ? goModule.slice(`github.com/${release.repository}/`.length) : "sdk/go";
  const archives = Object.values(release.plugins).map((p) => p.archive);
  const lines = [
    `# Publishing pulumi-apikeys v${v}`,
    "",
    "Made by `npm run release`. Check the files first: `sha256sum -c SHA256SUMS`.",
    "",
    "1. **Tags**, on the commit this was built from, with the generated Go SDK committed at",
    `   \`${goModuleDir}/\` (copy this folder's \`sdk/go\` there): \`git tag v${v}\` and \`git tag ${goModuleDir}/v${v}\``,
    `   (Go finds \`${goModule}@v${v}\` by the second tag), then \`git push --tags\`.`,
    `2. **GitHub release** \`v${v}\` in ${release.repository}, with these files attached: the engine downloads`,
    `   the plugin from \`${release.pluginDownloadURL}\` (\`\${VERSION}\` is filled in by the engine):`,
    ...[...archives, "SHA256SUMS"].map((name) => `   - \`${name}\``),
    `3. **npm**: ${(release.npm ?? []).map((name) => `\`npm publish ${name}\``).join(", ")}.`,
    `4. **PyPI**: \`twine upload ${(release.python ?? []).join(" ")}\`.`,
    "5. **Pulumi Registry**: the pages in `docs/` (`_index.md`, `installation-configuration.md`) and",
    "   `schema.json`, in the registry's repository layout.",
    "",
    'Untested platforms are listed in docs/languages.md ("Installing from a release").',
    "",
  ];
  return lines.join("\n");
}

module.exports = { publishingGuide };
