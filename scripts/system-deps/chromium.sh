#!/usr/bin/env bash
# Installs Debian's chromium for the headless browser test of the upload page (tests/edge/browser.test.ts,
# driven by npm playwright-core). Idempotent: does nothing when /usr/bin/chromium exists.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  echo "chromium.sh: $(/usr/bin/chromium --version 2>/dev/null | tail -n1) already installed"
  exit 0
fi
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
