#!/usr/bin/env bash
# setup.sh [demo|test]: everything the demo (or the tests) need, installed on a fresh machine: a
# preflight of the machine, npm packages (with the server's native SQLite driver built against the
# headers Node ships with), the build, the package linked to itself (the dynamic-provider host
# loads `pulumi-apikeys` by name from the program's directory), and the Pulumi CLI with what the
# purpose needs. One progress line per step on stderr; prints the CLI's bin directory last.
set -euo pipefail
purpose="${1:-test}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
step() { echo "setup: $*" >&2; }
bash scripts/preflight.sh "$purpose"

# The Go builds (the Pulumi CLI: about 5 minutes cold) need nothing from npm: they run beside npm ci
# and the TypeScript build instead of after them.
tools_out="$(mktemp)"
step "Pulumi CLI and language hosts for the $purpose (in the background)"
# Its stderr through a pipe: no carriage-return progress line mixed into npm's output.
bash scripts/ensure-pulumi.sh "$purpose" > "$tools_out" 2> >(cat >&2) &
tools_pid=$!
kill_tree() { local child; for child in $(pgrep -P "$1"); do kill_tree "$child"; done; kill "$1" 2>/dev/null || true; }
# A failed npm step stops the Go builds too (their half-built output is never moved into place).
trap 'kill_tree "$tools_pid"; rm -f "$tools_out"' EXIT

# node-gyp builds against Node's own headers instead of downloading them (unreachable offline).
npm_config_nodedir="$(bash scripts/nodedir.sh)"
export npm_config_nodedir
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "npm ci (with the SQLite driver's native build: about 90 s the first time)"
  # Strict: the lock file is the install. It lists every platform's optional bindings (the
  # @unrs/resolver-binding-* of jest's resolver); a lock written without them is refused by `npm ci`
  # ("Missing: ... from lock file"), so regenerate it with `npm install` and commit it.
  npm ci --no-audit --no-fund >&2
fi
# npm removes an optional dependency whose build failed and reports success: look for it ourselves,
# so the failure is named here instead of as "Cannot find module" minutes later.
bash scripts/check-native.sh

step "building (tsc, and vite for the console)"
npm run build --silent >&2
ln -sfn .. node_modules/pulumi-apikeys
wait "$tools_pid" || { step "the Pulumi CLI or a language host could not be made (see the lines above)"; exit 1; }
tail -1 "$tools_out"
