#!/usr/bin/env bash
# Prints the directory node-gyp should build native modules against: the install prefix of the
# running `node`, which holds the C headers Node ships with (`include/node/node.h`). Exits 1 when
# neither that nor an existing npm_config_nodedir has them.
#
# Why: without a nodedir, node-gyp downloads node-v<version>-headers.tar.gz from Node's site, which
# machines without internet access (ours included) cannot reach; the build of better-sqlite3 then
# fails and npm drops the optional dependency without a word.
set -euo pipefail
has_headers() { [ -f "$1/include/node/node.h" ] && [ -f "$1/include/node/common.gypi" ]; }
if [ -n "${npm_config_nodedir:-}" ] && has_headers "$npm_config_nodedir"; then echo "$npm_config_nodedir"; exit 0; fi
prefix="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
if has_headers "$prefix"; then echo "$prefix"; exit 0; fi
exit 1
