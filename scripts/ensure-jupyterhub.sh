#!/usr/bin/env bash
# A real JupyterHub (the first key server of the described-API tests: its token API is described by
# examples/key-apis/jupyterhub.yaml, no code) installed from PyPI into a cached virtualenv, with the
# configurable-http-proxy it starts, from the npm registry, in the same folder. Prints the folder:
# <folder>/bin/jupyterhub and <folder>/node_modules/.bin/configurable-http-proxy.
#
# The proxy goes into the cache folder rather than the project's devDependencies: only these tests
# use it, so `npm ci` for everyone else stays as it is, and its version is pinned here beside the
# hub's, cached and replaced together. A warm cache is a no-op (~0.1 s). APIKEYS_TEST_JUPYTERHUB set:
# used as it is.
set -euo pipefail
jupyterhub_version="6.1.1"
proxy_version="5.3.0"
log() { echo "ensure-jupyterhub: $*" >&2; }
if [ -n "${APIKEYS_TEST_JUPYTERHUB:-}" ]; then echo "$APIKEYS_TEST_JUPYTERHUB"; exit 0; fi
cache_root="${PULUMI_APIKEYS_CACHE:-$HOME/.cache/pulumi-apikeys}"
dir="$cache_root/jupyterhub-$jupyterhub_version"
mkdir -p "$cache_root"
# Two runs at once (the test script and a developer's) install once: the second waits for the first.
exec 9>"$dir.lock"
flock 9
installed() {
  [ -x "$dir/bin/jupyterhub" ] && "$dir/bin/python" -c 'import jupyterhub' 2>/dev/null &&
    [ "$("$dir/bin/python" -c 'from importlib.metadata import version; print(version("jupyterhub"))' 2>/dev/null)" = "$jupyterhub_version" ] &&
    [ -x "$dir/node_modules/.bin/configurable-http-proxy" ] &&
    [ "$(node -p 'require(process.argv[1]).version' "$dir/node_modules/configurable-http-proxy/package.json" 2>/dev/null)" = "$proxy_version" ]
}
if ! installed; then
  command -v python3 >/dev/null || { log "python3 is needed for the JupyterHub tests; install it (apt-get install python3 python3-venv)"; exit 1; }
  started=$(date +%s)
  log "installing jupyterhub==$jupyterhub_version and configurable-http-proxy@$proxy_version in $dir"
  rm -rf "$dir"
  python3 -m venv "$dir" >&2
  "$dir/bin/pip" install --quiet --disable-pip-version-check "jupyterhub==$jupyterhub_version" >&2
  # A private npm project in the cache folder: --prefix keeps it out of the checkout's node_modules.
  echo '{"private":true}' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error "configurable-http-proxy@$proxy_version" >&2
  log "installed in $(($(date +%s) - started)) s"
fi
echo "$dir"
