#!/usr/bin/env bash
# Headless Chromium for the browser tests (tests/browser): installs Debian's chromium if missing.
# Test tools may not download browsers of their own here, so Playwright drives this one
# (executable_path /usr/bin/chromium). Idempotent, and instant when chromium is already there.
#   deploy/local/browser.sh
set -euo pipefail
chromium_binary="/usr/bin/chromium"

if [ -x "$chromium_binary" ]; then
  exit 0
fi
echo "Installing Chromium (Debian package)..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
"$chromium_binary" --version >&2
