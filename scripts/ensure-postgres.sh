#!/usr/bin/env bash
# Prints a PostgreSQL admin URL for the server's tests, starting a throwaway local server if needed.
#   - APIKEYS_TEST_POSTGRES_URL set: used as it is.
#   - otherwise: a server of our own on 127.0.0.1:${APIKEYS_TEST_PG_PORT:-54329}, data under /tmp,
#     from Debian's postgresql package (installed with apt-get when missing and we are root).
set -euo pipefail
log() { echo "ensure-postgres: $*" >&2; }
if [ -n "${APIKEYS_TEST_POSTGRES_URL:-}" ]; then echo "$APIKEYS_TEST_POSTGRES_URL"; exit 0; fi

port="${APIKEYS_TEST_PG_PORT:-54329}"
data="/tmp/pulumi-apikeys-pg-$port"
url="postgres://postgres@127.0.0.1:$port/postgres"

find_bin() {
  command -v "$1" 2>/dev/null || ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -1
}
initdb="$(find_bin initdb || true)"
if [ -z "$initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing PostgreSQL from Debian's packages..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) >&2
    initdb="$(find_bin initdb)"
  else
    log "PostgreSQL is not installed. Install it (Debian/Ubuntu: apt-get install postgresql) or set APIKEYS_TEST_POSTGRES_URL to an admin URL."
    exit 1
  fi
fi
bindir="$(dirname "$(readlink -f "$initdb")")"

if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" 2>/dev/null; then log "using PostgreSQL already running on port $port"; echo "$url"; exit 0; fi

# PostgreSQL refuses to run as root: run it as the postgres user.
as_pg=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  as_pg=(runuser -u postgres --)
fi
init_cluster() {
  log "initializing a throwaway PostgreSQL cluster in $data"
  rm -rf "$data"; mkdir -p "$data"
  [ "$(id -u)" = 0 ] && chown postgres "$data"
  "${as_pg[@]}" "$bindir/initdb" -D "$data" -U postgres -A trust --no-sync >/dev/null
}
start_cluster() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
    -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
}
[ -f "$data/PG_VERSION" ] || init_cluster
log "starting PostgreSQL on 127.0.0.1:$port"
if ! start_cluster; then
  # A cluster left by a killed session (stale lock file, half-written data): the data is throwaway.
  log "could not start the existing cluster ($(tail -1 "$data/server.log" 2>/dev/null)); starting from a fresh one"
  sleep 2
  init_cluster
  start_cluster
fi
echo "$url"
