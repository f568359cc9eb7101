#!/usr/bin/env bash
# One command from a fresh clone to the whole suite: unit, AppTest and real-browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v java >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "Installing Debian's Java runtime for the Spark tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
fi
# Test-only dependencies (Spark) live outside requirements.txt so the app never pays for them.
stamp=.venv/.requirements-test.sha256
wanted=$(sha256sum requirements-test.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
  echo "$wanted" > "$stamp"
fi
# Two workers: the machine has two cores; `-n 0` runs serially. Tests marked xdist_group (Spark) share one worker.
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
