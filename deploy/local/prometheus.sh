#!/usr/bin/env bash
# Prometheus and promtool for the rule checks and the scrape test (tests/deploy,
# tests/e2e/test_prometheus_rules.py): installs Debian's prometheus package if promtool is
# missing. Idempotent, and instant when it is already there. The package's own service is stopped
# and kept from starting: the tests run a server of their own on a free port.
#   deploy/local/prometheus.sh
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi
echo "Installing Prometheus (Debian package)..." >&2
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d answering 101 tells Debian's maintainer scripts not to start services; removed
# again afterwards unless one was already there.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && made_policy=1
fi
trap 'if [ -n "$made_policy" ]; then rm -f "$policy"; fi' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends prometheus >/dev/null
# Where the package started one anyway (no policy-rc.d honoured), stop it.
if command -v service >/dev/null 2>&1; then
  service prometheus stop >/dev/null 2>&1 || true
fi
promtool --version >&2
