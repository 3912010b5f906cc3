#!/usr/bin/env bash
# npm run bench: the figures of bench/ (not part of the test command). Installs what it needs first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh demo >/dev/null
export NO_COLOR=1 FORCE_COLOR=0
npx tsx bench/index.ts
# The native plugin's start-up as it ships (single executable) against `node -e` printing a port.
# A partial run (BENCH_ONLY) skips it.
if [ -z "${BENCH_ONLY:-}" ]; then npx tsx bench/pluginStartup.ts; fi
