#!/usr/bin/env bash
# Everything the demo and the tests need, installed on a fresh machine: npm packages, the build,
# the package linked to itself (the dynamic-provider host loads `pulumi-apikeys` by name from the
# program's directory), and the Pulumi CLI. Prints the CLI's bin directory last.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  # Strict: the lock file is the install. It lists every platform's optional bindings (the
  # @unrs/resolver-binding-* of jest's resolver); a lock written without them is refused by `npm ci`
  # ("Missing: ... from lock file"), so regenerate it with `npm install` and commit it.
  npm ci --no-audit --no-fund >&2
fi
echo "setup: building (tsc, and vite for the console)" >&2
npm run build --silent >&2
ln -sfn .. node_modules/pulumi-apikeys
bash scripts/ensure-pulumi.sh | tail -1
