#!/usr/bin/env bash
# Makes a Pulumi CLI and our dynamic-provider launcher available under .tools/bin.
#
# The official installer downloads from the vendor, which these machines cannot reach, and the
# npm `pulumi` package does the same at run time. So: use a `pulumi` on PATH when it is recent
# enough; otherwise build it from its published Go modules through tools/pulumi (our own tool
# module, because pkg/v3's go.mod carries replace lines that `go install pkg@version` refuses).
#
# Prints the bin directory to put first on PATH as its last line. A warm cache is a no-op.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's/.*github.com\/pulumi\/pulumi\/pkg\/v3 \(v[0-9.]*\).*/\1/p' "$root/tools/pulumi/go.mod" | head -1)"
min_version="3.139.0"
bin="$root/.tools/bin"
# Built CLIs are kept per version outside the checkout, so a fresh clone on the same machine reuses them.
cache="${PULUMI_APIKEYS_CACHE:-$HOME/.cache/pulumi-apikeys}/pulumi-$version"
mkdir -p "$bin" "$cache"
log() { echo "ensure-pulumi: $*" >&2; }

version_ok() { # $1: a version string like v3.248.0 or 3.248.0
  local v="${1#v}"
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$min_version" "$v" | sort -V | head -1)" = "$min_version" ]
}

path_cli="$(PATH="$(echo "$PATH" | tr ':' '\n' | grep -vxF "$bin" | paste -sd:)" command -v pulumi || true)"
if [ -x "$bin/pulumi" ] && [ "$("$bin/pulumi" version 2>/dev/null)" = "$version" ]; then
  log "using cached Pulumi CLI $version in $bin"
elif [ -x "$cache/pulumi" ] && [ "$("$cache/pulumi" version 2>/dev/null)" = "$version" ]; then
  log "using cached Pulumi CLI $version from $cache"
  ln -sf "$cache/pulumi" "$bin/pulumi"
elif [ -n "$path_cli" ] && version_ok "$("$path_cli" version 2>/dev/null || true)"; then
  log "using Pulumi CLI on PATH: $path_cli ($("$path_cli" version))"
  ln -sf "$path_cli" "$bin/pulumi"
else
  if ! command -v go >/dev/null 2>&1; then
    log "no Pulumi CLI >= $min_version on PATH and no Go toolchain to build one."
    log "Install Go 1.25+ (https://go.dev/dl, or your package manager) or the Pulumi CLI, then run this again."
    exit 1
  fi
  log "building Pulumi CLI $version from its Go modules (first run: about 5 minutes on 2 cores)..."
  started=$(date +%s)
  (
    cd "$root/tools/pulumi"
    # pkg/v3 is not in the public checksum database as served here; go.sum pins its hashes.
    export GONOSUMDB="github.com/pulumi/pulumi" GOFLAGS="-mod=mod"
    go build -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
      -o "$cache/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  )
  ln -sf "$cache/pulumi" "$bin/pulumi"
  log "built $("$bin/pulumi" version) in $(( $(date +%s) - started ))s into $cache"
fi

# write_launcher NAME SDK_COMMAND: a plugin script that runs one of @pulumi/pulumi's commands,
# resolving the SDK from the directory the engine starts it in, exactly as the program itself would.
write_launcher() {
  cat > "$bin/$1" <<LAUNCHER
#!/usr/bin/env bash
sdk="\$(node -p 'require("path").dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }))')" || {
  echo "$1: @pulumi/pulumi is not installed in \$(pwd); run npm install" >&2; exit 1; }
exec node "\$sdk/cmd/$2" "\$@"
LAUNCHER
  chmod +x "$bin/$1"
}

# The engine starts dynamic providers through `pulumi-resource-pulumi-nodejs` on PATH (Pulumi's own
# is a tiny script shipped with the CLI release).
write_launcher pulumi-resource-pulumi-nodejs dynamic-provider
# Policy packs: with no `pulumi-language-nodejs` language host, the engine falls back to a plugin
# named `pulumi-analyzer-policy-nodejs`, started in the policy pack's directory as
# `<engine-address> . [-option=value...]`.
write_launcher pulumi-analyzer-policy-nodejs run-policy-pack
echo "$bin"
