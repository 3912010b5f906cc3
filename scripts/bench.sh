#!/usr/bin/env bash
# npm run bench: every figure of bench/ in one run (not part of the test command), written to
# bench/results/latest.json, then docs/performance.md's tables regenerated from it. Installs what it
# needs first. BENCH_QUICK=1 for a quick run of the mechanism; docs/performance.md lists the settings.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh demo >/dev/null
export NO_COLOR=1 FORCE_COLOR=0
npx tsx bench/index.ts
# BENCH_ONLY=server writes its own file and leaves latest.json and the page alone; BENCH_ONLY=sizes
# replaces its section of latest.json, so the page is regenerated as after a full run.
# The file in the repository's format (prettier folds the short arrays JSON.stringify spreads over lines).
if [ "${BENCH_ONLY:-}" = "server" ]; then
  npx prettier --log-level warn --write bench/results/latest-server.json
else
  npx prettier --log-level warn --write bench/results/latest.json
  npx tsx bench/renderDocs.ts
fi
