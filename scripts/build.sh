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
# The PDF needs the system Chromium (README "两条命令"). Without it the site, the wheel and the
# zip are still built and the PDF is skipped with a note; the test command (CI) requires it.
if [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null 2>&1 \
  || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then
  .venv/bin/python scripts/build_pdf.py
else
  echo "==> PDF skipped: no Chromium found (sudo apt-get install chromium fonts-noto-cjk"
  echo "    fonts-noto-mono fonts-stix, or set CHROMIUM_PATH); the site links a PDF it does not have"
fi
echo "==> built: open _build/html/index.html, or serve it with"
echo "    .venv/bin/python -m http.server -d _build/html 8000   and visit http://127.0.0.1:8000"
