#!/usr/bin/env bash
# One command from a fresh clone to the app on http://localhost:8501.
# Listens on 127.0.0.1 only (see .streamlit/config.toml); to expose it on purpose, for example on a trusted
# network, pass an address: bash scripts/run-app.sh --server.address 0.0.0.0
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
source scripts/app-env.sh
exec .venv/bin/python -m streamlit run app.py --server.port 8501 "$@"
