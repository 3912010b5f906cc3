#!/usr/bin/env bash
# npm test: lint and format checks, then every suite (server, provider, vendors, console in a browser, end-to-end on the real
# Pulumi engine), after installing what they need on a fresh machine: npm packages, the build, the
# Pulumi CLI, a local PostgreSQL, Debian's Chromium, a Python virtualenv with Pulumi's Python SDK.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh test >/dev/null || exit 1
# A real Strapi for the described-API tests (about 2 minutes the first time, then cached) installs while lint runs.
strapi_out="$(mktemp)"; bash scripts/ensure-strapi.sh > "$strapi_out" & strapi_pid=$!
# Lint and format first: a type-unsafe or unformatted change fails in seconds, before the suites.
npm run lint --silent || exit 1
# The suites install packages too (the packed-package test builds the server's SQLite driver):
# the same headers as the setup, or a fresh machine's build fails and npm drops the driver silently.
npm_config_nodedir="$(bash scripts/nodedir.sh)" || exit 1
export npm_config_nodedir
APIKEYS_TEST_POSTGRES_URL="$(bash scripts/ensure-postgres.sh)" || exit 1
APIKEYS_TEST_CHROMIUM="$(bash scripts/ensure-chromium.sh)" || exit 1
APIKEYS_TEST_PYTHON_BIN="$(bash scripts/ensure-python.sh)" || exit 1
APIKEYS_TEST_JUPYTERHUB="$(bash scripts/ensure-jupyterhub.sh)" || exit 1
wait "$strapi_pid" && APIKEYS_TEST_STRAPI="$(cat "$strapi_out")" && rm -f "$strapi_out" || exit 1
export APIKEYS_TEST_POSTGRES_URL APIKEYS_TEST_CHROMIUM APIKEYS_TEST_PYTHON_BIN APIKEYS_TEST_JUPYTERHUB APIKEYS_TEST_STRAPI FORCE_COLOR=0 NO_COLOR=1
# One Jest process per project: Jest runs every file of a process in band on 2 cores, and one process
# for all ~100 files grew past 23 GB (whatever a file leaves referenced adds up) until the machine
# thrashed; each project alone finishes. With arguments (paths, -t), one process as asked.
# The results are read from Jest's JSON files: stale ones are removed first so a crash cannot pass.
# No --forceExit: every suite closes what it opens (servers, pools, child processes), so Jest exits
# on its own; a handle left open shows as "Jest did not exit" (find it with --detectOpenHandles).
status=0
results=()
rm -f "$root"/.tools/jest-results*.json
if [ "$#" -gt 0 ]; then
  results+=("$root/.tools/jest-results.json")
  npx jest --ci --json --outputFile="${results[0]}" "$@" || status=1
else
  # The engine's suite spends most of its time waiting on the CLI and the engine's own processes: unit
  # and console run beside it in a second Jest process (two cores used; their output follows the
  # engine's). They share nothing but the PostgreSQL server, where each test makes its own database.
  side_log="$root/.tools/jest-unit-console.log"
  (
    side=0
    for project in unit console; do
      npx jest --ci --selectProjects "$project" --json --outputFile="$root/.tools/jest-results-$project.json" || side=1
    done
    exit "$side"
  ) > "$side_log" 2>&1 &
  side_pid=$!
  results+=("$root/.tools/jest-results-unit.json" "$root/.tools/jest-results-console.json" "$root/.tools/jest-results-e2e.json")
  npx jest --ci --selectProjects e2e --json --outputFile="$root/.tools/jest-results-e2e.json" || status=1
  wait "$side_pid" || status=1
  echo "--- unit and console suites (run beside the engine's) ---"
  cat "$side_log"
fi
node -e '
  const runs = process.argv.slice(1).map((file) => require(file));
  const files = runs.flatMap((r) => r.testResults);
  const e2e = files.filter((f) => f.name.includes("/test/e2e/"));
  const count = (list, s) => list.reduce((n, f) => n + f.assertionResults.filter((a) => a.status === s).length, 0);
  console.log(`end-to-end tests on the real Pulumi engine: ${count(e2e, "passed")} passed, ${count(e2e, "failed")} failed`);
  console.log(`tests: ${count(files, "passed")} passed, ${count(files, "failed")} failed`);
  if (runs.some((r) => !r.success)) process.exitCode = 1;
' "${results[@]}" || status=1
exit "$status"
