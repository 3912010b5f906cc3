#!/usr/bin/env bash
# Everything the demo and the tests need, installed on a fresh machine: npm packages, the build,
# the package linked to itself (the dynamic-provider host loads `pulumi-apikeys` by name from the
# program's directory), and the Pulumi CLI. Prints the CLI's bin directory last.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  # npm 11 on these machines writes lock files without other platforms' optional bindings, which
  # `npm ci` then calls out of sync; `npm install` still follows the lock for everything it holds.
  npm ci --no-audit --no-fund >&2 2>/dev/null || npm install --no-audit --no-fund >&2
fi
echo "setup: building (tsc, and vite for the console)" >&2
npm run build --silent >&2
ln -sfn .. node_modules/pulumi-apikeys
bash scripts/ensure-pulumi.sh | tail -1
