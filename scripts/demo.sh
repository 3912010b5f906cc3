#!/usr/bin/env bash
# npm run demo: install what is needed, then run the demo (scripts/demo.js).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" demo >/dev/null
exec node "$root/scripts/demo.js"
