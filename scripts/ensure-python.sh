#!/usr/bin/env bash
# A Python virtualenv with Pulumi's Python SDK (the version of the CLI we use) and what the generated
# pulumi_apikeys SDK imports, for the Python stack test, and Schemathesis (`st`) for the OpenAPI
# fuzz test (test/fuzz/). Prints the virtualenv's bin directory.
set -euo pipefail
schemathesis_version="4.32.5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(node -p 'require(process.argv[1]).version' "$root/node_modules/@pulumi/pulumi/package.json")"
venv="${PULUMI_APIKEYS_CACHE:-$HOME/.cache/pulumi-apikeys}/python-venv-$version"
log() { echo "ensure-python: $*" >&2; }
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import pulumi, parver, semver" 2>/dev/null; then
  command -v python3 >/dev/null || { log "python3 is needed for the Python stack test; install it (apt-get install python3 python3-venv)"; exit 1; }
  log "creating a virtualenv with pulumi==$version in $venv"
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pulumi==$version" "parver>=0.2.1" "semver>=2.8.1" >&2
fi
# Added to an existing virtualenv too (one made before the fuzz test), pinned: a new Schemathesis
# release can add checks, and the suite must not start failing on its own.
if [ "$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("schemathesis"))' 2>/dev/null)" != "$schemathesis_version" ]; then
  log "installing schemathesis==$schemathesis_version in $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version" >&2
fi
echo "$venv/bin"
