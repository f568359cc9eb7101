#!/usr/bin/env bash
# One command from a fresh clone to the app on http://localhost:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
exec .venv/bin/python -m streamlit run app.py --server.port 8501 "$@"
