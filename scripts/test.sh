#!/usr/bin/env bash
# One command from a fresh clone to the whole suite: unit, AppTest and real-browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# Two workers: the machine has two cores; `-n 0` runs serially.
exec .venv/bin/python -m pytest -n 2 "$@"
