#!/usr/bin/env bash
# npm run bench: the figures of bench/ (not part of the test command). Installs what it needs first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh demo >/dev/null
export NO_COLOR=1 FORCE_COLOR=0
exec npx tsx bench/index.ts
