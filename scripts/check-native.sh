#!/usr/bin/env bash
# Fails, naming the package and the fix, when the server's SQLite driver (better-sqlite3, an
# optional dependency with a native build) is missing or does not load. npm drops a failed optional
# build silently, so this is the only place such a failure is seen before the server cannot start.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if error="$(cd "$root/server" && node -e 'new (require("better-sqlite3"))(":memory:").close()' 2>&1)"; then exit 0; fi
{
  echo "setup: the SQLite driver better-sqlite3 (used by apikeys-server) is not installed or does not load:"
  echo "$error" | grep -m1 -E "Error|error" | sed 's/^/    /'
  # npm's debug log of the last install shows the build's command and exit code (npm runs an optional
  # dependency's install script in the background, so its own output is not in the log).
  log="$(ls -t "${npm_config_cache:-$HOME/.npm}"/_logs/*-debug-0.log 2>/dev/null | head -1)"
  if [ -n "$log" ] && grep -q "better-sqlite3" "$log"; then
    echo "  from npm's log ($log):"
    grep -E "info run better-sqlite3" "$log" | tail -n 4 | cut -c1-200 | sed 's/^/    /'
  fi
  echo "  The usual causes and fixes:"
  echo "    - no C/C++ toolchain: apt-get install build-essential python3"
  echo "    - node-gyp cannot download Node's headers: set npm_config_nodedir to the prefix holding include/node"
  echo "      (this machine's: $(bash "$root/scripts/nodedir.sh" 2>/dev/null || echo 'none found: apt-get install libnode-dev'))"
  echo "  then: rm -rf node_modules && npm run ${npm_lifecycle_event:-test}"
} >&2
exit 1
