#!/usr/bin/env bash
# README command 1: set up .venv and build the course's four editions into _build/html/:
# the site (warnings are errors), and in its downloads/ folder the PDF, nnlib's wheel and the
# notebook zip (scripts/editions.py, scripts/build_pdf.py; README "四种版本").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset MPLBACKEND
.venv/bin/jupyter-book build . -W -n --keep-going
.venv/bin/python scripts/editions.py
.venv/bin/python scripts/build_pdf.py
echo "==> built: open _build/html/index.html, or serve it with"
echo "    .venv/bin/python -m http.server -d _build/html 8000   and visit http://127.0.0.1:8000"
