// PUBLISHING.md in the release folder: the steps that publish exactly what this build made, with its
// names filled in. Nothing here publishes: the machines that build releases reach no GitHub, npm or
// PyPI account, and a release is a person's decision.
//
// One SHA256SUMS covers every file of the release folder (docs/ and sdk/go/ included) and is attached
// to the GitHub release: one list a user trusts for every destination, since npm and PyPI keep an
// uploaded tarball or wheel byte for byte and the Go module's files are committed as they are. Where
// only part of the release is at hand (the GitHub release's files), `sha256sum -c --ignore-missing`
// checks each file that is there and fails when none is (coreutils 8.25 or later); where a
// destination's files are known, its lines are picked from SHA256SUMS and checked strictly. One
// SHA256SUMS per destination was the alternative: GitHub assets share one namespace, so they would
// need other names than the SHA256SUMS users look for, and the npm, PyPI and Go files would have no
// published checksum at all.
"use strict";

/** The check a user runs in a folder holding some of the release's files, SHA256SUMS among them. */
const PARTIAL_CHECK = "sha256sum -c --ignore-missing SHA256SUMS";

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
  // The Go SDK's lines of SHA256SUMS, as paths in the repository (the same unless the module lives elsewhere).
  const rename = goModuleDir === "sdk/go" ? "" : ` | sed 's#  sdk/go/#  ${goModuleDir}/#'`;
  const goCheck = `grep '  sdk/go/' <this folder>/SHA256SUMS${rename} | sha256sum -c`;
  const lines = [
    `# Publishing pulumi-apikeys v${v}`,
    "",
    "Made by `npm run release`. Check the files first, in this folder: `sha256sum -c SHA256SUMS` (SHA256SUMS",
    "lists every file here, `docs/` and `sdk/go/` included).",
    "",
    "1. **Tags**, on the commit this was built from, with the generated Go SDK committed at",
    `   \`${goModuleDir}/\` (replace that folder with this folder's \`sdk/go\`; check it from the repository's root with`,
    `   \`${goCheck}\`):`,
    `   \`git tag v${v}\` and \`git tag ${goModuleDir}/v${v}\` (Go finds \`${goModule}@v${v}\` by the second tag),`,
    "   then `git push --tags`.",
    `2. **GitHub release** \`v${v}\` in ${release.repository}, with these files attached: the engine downloads`,
    `   the plugin from \`${release.pluginDownloadURL}\` (\`\${VERSION}\` is filled in by the engine):`,
    ...[...archives, "SHA256SUMS"].map((name) => `   - \`${name}\``),
    `   Whoever downloads them checks them with \`${PARTIAL_CHECK}\` in the download folder: it checks`,
    "   every file listed there that is present (the others are published elsewhere) and fails if none is.",
    `3. **npm**: ${(release.npm ?? []).map((name) => `\`npm publish ${name}\``).join(", ")}.`,
    `4. **PyPI**: \`twine upload ${(release.python ?? []).join(" ")}\`.`,
    "5. **Pulumi Registry**: the pages in `docs/` (`_index.md`, `installation-configuration.md`) and",
    "   `schema.json`, in the registry's repository layout.",
    "",
    "The files are reproducible: building the same commit again on a machine with the same Node.js, Go,",
    "Python and tools gives the same SHA256SUMS (every time stamp is the commit's time, `SOURCE_DATE_EPOCH`).",
    "",
    'Untested platforms are listed in docs/languages.md ("Installing from a release").',
    "",
  ];
  return lines.join("\n");
}

module.exports = { publishingGuide, PARTIAL_CHECK };
