#!/usr/bin/env bash
# README command 1: set up .venv and build the site into _build/html/ (warnings are errors).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset MPLBACKEND
.venv/bin/jupyter-book build . -W -n --keep-going
echo "==> built: open _build/html/index.html, or serve it with"
echo "    .venv/bin/python -m http.server -d _build/html 8000   and visit http://127.0.0.1:8000"
