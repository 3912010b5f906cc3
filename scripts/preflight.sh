#!/usr/bin/env bash
# preflight.sh demo|test: checks, in well under a second and before anything is downloaded or built,
# that this machine has what `npm run demo` (or `npm test`) needs, and names the command that
# installs each missing piece. A missing piece the later steps install themselves (PostgreSQL and
# Chromium from Debian's packages, when we are root and apt-get exists) is only noted.
#
# Why it exists: a fresh machine used to fail minutes in, with `Cannot find module 'better-sqlite3'`
# (npm drops a failed optional native build silently), or after a 5-minute Go build.
set -uo pipefail
purpose="${1:-test}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
missing=()
notes=()
need() { missing+=("$1"); }
can_apt() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

# Node.js >= 20 and npm (the version is the one in package.json's engines field).
if ! command -v node >/dev/null 2>&1; then
  need "Node.js >= 20: apt-get install nodejs npm (Debian 13+), or https://nodejs.org"
else
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || need "Node.js >= 20 (found $(node --version)): install a current Node.js"
fi
command -v npm >/dev/null 2>&1 || need "npm: apt-get install npm"

# Go builds the Pulumi CLI and its language hosts (tools/); the version is the highest `go` line of
# their go.mod files.
go_needed="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$root"/tools/*/go.mod | sort -V | tail -1)"
if ! command -v go >/dev/null 2>&1; then
  need "Go >= $go_needed (builds the Pulumi CLI and language hosts): https://go.dev/dl, or apt-get install golang-go if your release has $go_needed"
else
  go_have="$(go env GOVERSION 2>/dev/null | sed 's/^go//')"
  if [ "$(printf '%s\n%s\n' "$go_needed" "$go_have" | sort -V | head -1)" != "$go_needed" ]; then
    # Go >= 1.21 downloads a newer toolchain itself when GOTOOLCHAIN allows it and the proxy serves it.
    notes+=("Go $go_have is older than the $go_needed the tool modules ask for; go will try to fetch that toolchain from the module proxy")
  fi
fi

# The server's SQLite driver (better-sqlite3) is a native module: a C/C++ toolchain, make, python3
# for node-gyp, and Node's own headers (setup.sh points node-gyp at them; see nodedir.sh).
for tool in cc c++ make python3; do
  command -v "$tool" >/dev/null 2>&1 || need "$tool (builds the SQLite driver better-sqlite3): apt-get install build-essential python3"
done
if command -v node >/dev/null 2>&1 && ! bash "$root/scripts/nodedir.sh" >/dev/null 2>&1; then
  need "Node.js's C headers (include/node/node.h under Node's install prefix) for the SQLite driver's build: apt-get install libnode-dev (Debian's nodejs), or set npm_config_nodedir to a directory holding include/node"
fi

if [ "$purpose" = test ]; then
  if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    need "python3's venv module (the Python stack test makes a virtualenv): apt-get install python3-venv"
  fi
  if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    if can_apt; then notes+=("PostgreSQL server binaries: will be installed with apt-get install postgresql"); else need "PostgreSQL server binaries (initdb, pg_ctl) for the server tests: apt-get install postgresql, or set APIKEYS_TEST_POSTGRES_URL"; fi
  fi
  if [ -z "${APIKEYS_TEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
    if can_apt; then notes+=("Chromium for the console tests: will be installed with apt-get install chromium"); else need "Chromium for the console tests: apt-get install chromium, or set APIKEYS_TEST_CHROMIUM"; fi
  fi
fi

for note in "${notes[@]}"; do echo "preflight: $note" >&2; done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "preflight: this machine is missing what \`npm run $purpose\` needs; nothing was installed or built:" >&2
  printf '  - %s\n' "${missing[@]}" | awk '!seen[$0]++' >&2
  exit 1
fi
echo "preflight: ok (node $(node --version), $(go env GOVERSION 2>/dev/null), $(cc --version | head -1))" >&2
