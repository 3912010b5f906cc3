#!/usr/bin/env bash
# Makes a Pulumi CLI, the Node.js, Python, YAML and Go language hosts and our plugin launchers available
# (.tools/bin/pulumi).
#
# The official installer downloads from the vendor, which these machines cannot reach, and the
# npm `pulumi` package does the same at run time. So: use a `pulumi` on PATH when it is recent
# enough; otherwise build it from its published Go modules through tools/pulumi (our own tool
# module, because pkg/v3's go.mod carries replace lines that `go install pkg@version` refuses).
#
# ensure-pulumi.sh [demo|test]: the demo needs only the CLI, the Node.js host and our launchers; the
# tests also need the Python, YAML and Go hosts and the SDK generator (about 2 more minutes cold).
# Prints the bin directory to put first on PATH as its last line. A warm cache is a no-op.
set -euo pipefail
purpose="${1:-test}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's/.*github.com\/pulumi\/pulumi\/pkg\/v3 \(v[0-9.]*\).*/\1/p' "$root/tools/pulumi/go.mod" | head -1)"
min_version="3.139.0"
bin="$root/.tools/bin"
# Everything built is kept outside the checkout, one folder per cache key (the tool's version, and
# the hash of our own source where there is one), so a fresh clone on the same machine reuses it.
cache_root="${PULUMI_APIKEYS_CACHE:-$HOME/.cache/pulumi-apikeys}"
cli_key="pulumi-$version"
cache="$cache_root/$cli_key"
mkdir -p "$bin"
log() { echo "ensure-pulumi: $*" >&2; }

version_ok() { # $1: a version string like v3.248.0 or 3.248.0
  local v="${1#v}"
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$min_version" "$v" | sort -V | head -1)" = "$min_version" ]
}

# go_build WHAT MODULE_DIR OUTPUT PACKAGE VERSION: one progress line while `go` works (its ~300
# lines of "go: downloading" go to a log file), the elapsed time at the end, and on failure the
# log's tail and where the whole log is.
go_build() {
  local what="$1" dir="$2" out="$3" package="$4" ver="$5" started buildlog pid
  if ! command -v go >/dev/null 2>&1; then
    log "no Go toolchain to build $what."
    log "Install Go 1.25+ (https://go.dev/dl, or your package manager)${no_go_hint:-}, then run this again."
    exit 1
  fi
  started=$(date +%s)
  buildlog="$(dirname "$out")/build-$(basename "$out").log"
  log "building $what from its Go modules; full log: $buildlog"
  (
    cd "$dir"
    # pulumi's modules are not in the public checksum database as served here; go.sum pins their hashes.
    export GONOSUMDB="github.com/pulumi/pulumi" GOFLAGS="-mod=mod"
    go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$ver" -o "$out.partial" "$package"
  ) > "$buildlog" 2>&1 &
  pid=$!
  if [ -t 2 ]; then
    while kill -0 "$pid" 2>/dev/null; do
      printf '\rensure-pulumi: building %s... %ss ' "$(basename "$out")" "$(( $(date +%s) - started ))" >&2
      sleep 5
    done
    printf '\n' >&2
  fi
  if ! wait "$pid"; then
    log "building $what failed after $(( $(date +%s) - started ))s; the last lines of $buildlog:"
    tail -n 20 "$buildlog" >&2
    exit 1
  fi
  mv "$out.partial" "$out"
  log "built $(basename "$out") $ver in $(( $(date +%s) - started ))s into $(dirname "$out")"
}

# is_cached NAME CACHE_KEY: whether NAME was built for CACHE_KEY already.
is_cached() { [ -x "$cache_root/$2/$1" ]; }

# cached_build NAME CACHE_KEY WHAT MODULE_DIR PACKAGE VERSION: NAME built once per CACHE_KEY into
# $cache_root/CACHE_KEY (go_build), then reused; prints its path. Several tools may share a key.
cached_build() {
  local name="$1" key="$2" what="$3" dir="$4" package="$5" ver="$6"
  local cached="$cache_root/$key"
  mkdir -p "$cached"
  if ! is_cached "$name" "$key"; then go_build "$what" "$dir" "$cached/$name" "$package" "$ver" >&2; fi
  echo "$cached/$name"
}

# source_hash FILE: a short hash of tools/FILE, so a change to our own tool's source rebuilds it.
source_hash() { sha256sum "$root/tools/$1" | cut -c1-12; }

# on_path NAME: NAME on PATH outside our own directories (.tools/bin and the cache), or nothing.
on_path() { PATH="$(echo "$PATH" | tr ':' '\n' | grep -vxF "$bin" | grep -vxF "$cache" | paste -sd:)" command -v "$1" || true; }

path_cli="$(on_path pulumi)"
if [ -x "$bin/pulumi" ] && [ "$("$bin/pulumi" version 2>/dev/null)" = "$version" ]; then
  log "using cached Pulumi CLI $version in $bin"
elif ! is_cached pulumi "$cli_key" && [ -n "$path_cli" ] && version_ok "$("$path_cli" version 2>/dev/null || true)"; then
  log "using Pulumi CLI on PATH: $path_cli ($("$path_cli" version))"
  ln -sf "$path_cli" "$bin/pulumi"
else
  if is_cached pulumi "$cli_key"; then log "using cached Pulumi CLI $version from $cache"; fi
  # Built when there is no cached one and no Pulumi CLI >= $min_version on PATH.
  cli="$(no_go_hint=" or the Pulumi CLI >= $min_version" cached_build pulumi "$cli_key" "the Pulumi CLI $version (first run: about 5 minutes on 2 cores)" \
    "$root/tools/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$version")"
  ln -sf "$cli" "$bin/pulumi"
fi

# The engine looks for plugins beside its own executable (symlinks resolved) before PATH, and warns
# "using pulumi-resource-pulumi-nodejs from $PATH" for one found only on PATH. So the language host
# and our launchers go into the directory of the real `pulumi` binary when we built it; a regular
# Pulumi installation already ships both there.
cli_dir="$(dirname "$(readlink -f "$bin/pulumi")")"
# A CLI we built (in this cache, or one an earlier PULUMI_APIKEYS_CACHE pointed at) gets its plugins beside it.
if [ "$cli_dir" = "$cache" ] || { [[ "$cli_dir" == */pulumi-apikeys*/pulumi-v* ]] && [ -w "$cli_dir" ]; }; then plugin_dir="$cli_dir"; else plugin_dir="$bin"; fi

# The Node.js language host runs `pulumi up` on a Pulumi.yaml project. v3.68.0 is the newest release
# published inside the sdk/v3 Go module (later ones live in a module the proxy here refuses); it
# speaks the same gRPC protocol to the engine and starts @pulumi/pulumi's own `cmd/run` for the
# program, so the program runs on the SDK version the project installed.
host_version="$(sed -n 's/.*github.com\/pulumi\/pulumi\/sdk\/v3 \(v[0-9.]*\).*/\1/p' "$root/tools/language-nodejs/go.mod" | head -1)"
path_host="$(on_path pulumi-language-nodejs)"
if [ -x "$cli_dir/pulumi-language-nodejs" ] && [ ! -L "$cli_dir/pulumi-language-nodejs" ]; then
  : # a regular installation's, beside its CLI
elif [ -n "$path_host" ]; then
  log "using the Node.js language host on PATH: $path_host"
  ln -sf "$path_host" "$plugin_dir/pulumi-language-nodejs"
else
  # The v3.68.0 host answers the engine's RunPlugin (how an engine with a Node.js language host runs
  # policy packs and plugin folders with a PulumiPlugin.yaml) with "not supported";
  # tools/pulumi/languagehostshim stands in front of it and runs both itself, as current hosts do.
  # The cache key carries the shim's source hash, so a change rebuilds it.
  host_key="language-nodejs-$host_version-$(source_hash pulumi/languagehostshim/main.go)"
  cached_build "pulumi-language-nodejs-$host_version" "$host_key" "Node.js language host $host_version (about 1 minute)" \
    "$root/tools/language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "$host_version" > /dev/null
  shim="$(cached_build pulumi-language-nodejs "$host_key" "the language host's policy-pack shim" "$root/tools/pulumi" ./languagehostshim "$host_version")"
  ln -sf "$shim" "$plugin_dir/pulumi-language-nodejs"
fi

# write_launcher NAME SDK_COMMAND: a plugin script that runs one of @pulumi/pulumi's commands,
# resolving the SDK from the directory the engine starts it in, exactly as the program itself would.
write_launcher() {
  cat > "$plugin_dir/$1.partial" <<LAUNCHER
#!/usr/bin/env bash
sdk="\$(node -p 'require("path").dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }))')" || {
  echo "$1: @pulumi/pulumi is not installed in \$(pwd); run npm install" >&2; exit 1; }
# PULUMI_APIKEYS_HOST_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the host (docs/DEVELOPMENT.md).
exec node \${PULUMI_APIKEYS_HOST_NODE_ARGS:-} "\$sdk/cmd/$2" "\$@"
LAUNCHER
  chmod +x "$plugin_dir/$1.partial"
  mv "$plugin_dir/$1.partial" "$plugin_dir/$1"
}

if [ "$plugin_dir" = "$cli_dir" ] || [ ! -x "$cli_dir/pulumi-resource-pulumi-nodejs" ]; then
  # Dynamic providers: the engine starts `pulumi-resource-pulumi-nodejs` (Pulumi's own is a tiny
  # script shipped with the CLI release).
  write_launcher pulumi-resource-pulumi-nodejs dynamic-provider
  # Policy packs: the engine runs them through a plugin named `pulumi-analyzer-policy-nodejs`,
  # started in the policy pack's directory as `<engine-address> . [-option=value...]`.
  write_launcher pulumi-analyzer-policy-nodejs run-policy-pack
fi
if [ "$purpose" = test ]; then
# The Python language host (the same sdk/v3 v3.68.0 module carries it), with the script it runs
# programs through beside it: Python stacks use the native provider (test/e2e/languages.test.ts).
py_host="$(cached_build pulumi-language-python "language-python-$host_version" "Python language host $host_version (about 30 seconds)" \
  "$root/tools/language-nodejs" github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python "$host_version")"
py_exec="$(dirname "$py_host")/pulumi-language-python-exec"
if [ ! -x "$py_exec" ]; then
  cp "$(cd "$root/tools/language-nodejs" && GOFLAGS=-mod=mod GONOSUMDB=github.com/pulumi/pulumi go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)/python/cmd/pulumi-language-python-exec" "$py_exec"
  chmod +x "$py_exec"
fi
ln -sf "$py_host" "$plugin_dir/pulumi-language-python"
ln -sf "$py_exec" "$plugin_dir/pulumi-language-python-exec"

# The YAML language host (pulumi-yaml's own module, served here): `runtime: yaml` projects declare
# apikeys:ApiKey with no SDK, the engine reading the native provider's schema (examples/yaml).
# tools/language-yaml/main.go serves pulumi-yaml's host with the Link call later releases have
# (`pulumi package add` needs it); its source hash is in the cache key.
yaml_version="$(sed -n 's/.*github.com\/pulumi\/pulumi-yaml \(v[0-9.]*\).*/\1/p' "$root/tools/language-yaml/go.mod" | head -1)"
yaml_host="$(cached_build pulumi-language-yaml "language-yaml-$yaml_version-$(source_hash language-yaml/main.go)" "YAML language host $yaml_version (about 2 minutes)" \
  "$root/tools/language-yaml" . "$yaml_version")"
ln -sf "$yaml_host" "$plugin_dir/pulumi-language-yaml"

# A Go language host of ours (tools/pulumi/languagego: build the program, run it with the engine's
# addresses and the config in the Go SDK's environment variables): Pulumi's own lives in a module the
# proxy here refuses. `runtime: go` stacks use the native provider (examples/go).
go_host="$(cached_build pulumi-language-go "language-go-$version-$(source_hash pulumi/languagego/main.go)" "the Go language host (about 1 minute)" \
  "$root/tools/pulumi" ./languagego "$version")"
ln -sf "$go_host" "$plugin_dir/pulumi-language-go"

# Pulumi's own code generators for the native provider's SDKs (`pulumi package gen-sdk` needs the
# language host's GeneratePackage, which the v3.68 host lacks): tools/pulumi/gensdk calls them directly.
gensdk="$(cached_build apikeys-gensdk "gensdk-$version-$(source_hash pulumi/gensdk/main.go)" "the SDK generator (about 1 minute)" \
  "$root/tools/pulumi" ./gensdk "$version")"
ln -sf "$gensdk" "$bin/apikeys-gensdk"
fi
# Launchers an earlier version of this script put on PATH would make the engine warn: remove them.
if [ "$plugin_dir" != "$bin" ]; then rm -f "$bin/pulumi-resource-pulumi-nodejs" "$bin/pulumi-analyzer-policy-nodejs"; fi
echo "$bin"
