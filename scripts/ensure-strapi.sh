#!/usr/bin/env bash
# Installs a real Strapi v5 server (the key server of the described-API tests over Strapi's admin
# API tokens) from the npm registry, and prints its folder: an npm project whose node_modules holds
# @strapi/strapi and its SQLite driver. The tests (test/helpers/strapi.ts) start throwaway projects
# on it.
#
# The install is test/servers/strapi's package.json and lock file, copied into a cache folder
# outside the checkout and installed with `npm ci` (strict: the lock file is the install). A warm
# cache whose lock file matches and whose SQLite driver loads on this Node is a no-op (~1 s).
# APIKEYS_TEST_STRAPI set: used as it is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { echo "ensure-strapi: $*" >&2; }
if [ -n "${APIKEYS_TEST_STRAPI:-}" ]; then echo "$APIKEYS_TEST_STRAPI"; exit 0; fi

source_dir="$root/test/servers/strapi"
version="$(node -p 'require(process.argv[1]).dependencies["@strapi/strapi"]' "$source_dir/package.json")"
cache_root="${PULUMI_APIKEYS_CACHE:-$HOME/.cache/pulumi-apikeys}"
dir="$cache_root/strapi-$version"
mkdir -p "$cache_root"

installed() { # $1: a folder; true when it holds this lock file's install and the driver loads here
  [ -f "$1/node_modules/@strapi/strapi/bin/strapi.js" ] &&
    cmp -s "$1/package-lock.json" "$source_dir/package-lock.json" &&
    (cd "$1" && node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>/dev/null)
}

# Two runs at once (the test script and a developer's) install once: the second waits for the first.
exec 9>"$dir.lock"
flock 9
if installed "$dir"; then echo "$dir"; exit 0; fi

# better-sqlite3 builds from source (no prebuilt binary can be downloaded here): against the headers
# Node ships with, or node-gyp tries to download them and the build fails.
if ! npm_config_nodedir="$(bash "$root/scripts/nodedir.sh")"; then
  log "Node's C headers (include/node/node.h) were not found beside this node; better-sqlite3 cannot be built."
  log "Install them (Debian: apt-get install libnode-dev) or set npm_config_nodedir to a prefix holding include/node."
  exit 1
fi
export npm_config_nodedir
started=$(date +%s)
partial="$dir.partial"
rm -rf "$partial"
mkdir -p "$partial"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$partial/"
npm_log="$cache_root/strapi-$version-install.log"
log "installing Strapi $version from the npm registry into $dir (about 2 minutes and 700 MB the first time); log: $npm_log"
if ! (cd "$partial" && npm ci --no-audit --no-fund --loglevel=warn) > "$npm_log" 2>&1; then
  log "npm ci of test/servers/strapi failed after $(( $(date +%s) - started ))s; the last lines of $npm_log:"
  grep -v "EBADENGINE" "$npm_log" | tail -n 15 | sed 's/^/    /' >&2
  log "A registry that does not serve one of the lock file's packages fails here: check npm_config_registry,"
  log "or regenerate the lock (cd test/servers/strapi && npm install --package-lock-only) with a version it serves."
  rm -rf "$partial"
  exit 1
fi
if ! error="$(cd "$partial" && node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>&1)"; then
  log "Strapi installed, but its SQLite driver better-sqlite3 does not load:"
  echo "$error" | grep -m1 -E "Error|error" | sed 's/^/    /' >&2
  log "A C/C++ toolchain is needed to build it (Debian: apt-get install build-essential python3); log: $npm_log"
  rm -rf "$partial"
  exit 1
fi
rm -rf "$dir"
mv "$partial" "$dir"
log "Strapi $version installed in $(( $(date +%s) - started ))s ($(du -sm "$dir" | cut -f1) MB)"
echo "$dir"
