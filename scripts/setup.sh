#!/usr/bin/env bash
# Creates the virtualenv and installs requirements.txt when it changed. Sourced by run-app.sh and test.sh.
# The environment lives outside the checkout (a `.venv` symlink points to it) so that tools which walk the
# tree, such as grep -r and the linters, never wade through site-packages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -e .venv ]; then
  home="${XDG_CACHE_HOME:-$HOME/.cache}/spine-pathway-explorer"
  target="$home/venv-$(pwd -P | sha256sum | cut -c1-12)"
  mkdir -p "$home"
  [ -x "$target/bin/python" ] || python3 -m venv "$target"
  ln -s "$target" .venv
fi
stamp=.venv/.requirements.sha256
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
  echo "$wanted" > "$stamp"
fi
