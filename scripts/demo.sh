#!/usr/bin/env bash
# npm run demo: install what is needed, then run the demo (scripts/demo.ts, with the tsx of the dev dependencies).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" demo >/dev/null
exec "$root/node_modules/.bin/tsx" "$root/scripts/demo.ts"
