#!/usr/bin/env bash
# Prints the path of a Chromium for the console's browser tests (Playwright drives it headless).
#   - APIKEYS_TEST_CHROMIUM set: used as it is.
#   - otherwise chromium from PATH, installed from Debian's packages with apt-get when missing and we
#     are root (Playwright's own browser download needs a vendor site this project cannot count on).
set -euo pipefail
log() { echo "ensure-chromium: $*" >&2; }
if [ -n "${APIKEYS_TEST_CHROMIUM:-}" ]; then echo "$APIKEYS_TEST_CHROMIUM"; exit 0; fi
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; exit 0; fi
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "installing chromium from Debian's packages..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) >&2
  command -v chromium
  exit 0
fi
log "no Chromium found. Install it (Debian/Ubuntu: apt-get install chromium) or set APIKEYS_TEST_CHROMIUM to a Chrome/Chromium binary."
exit 1
