#!/usr/bin/env bash
# README command 2: set up .venv and run every check: lint, unit tests, strict nbval over all
# chapters, the book build with warnings as errors, and the checks on the built site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset MPLBACKEND
export PATH="$PWD/.venv/bin:$PATH"

echo "==> ruff (lint + format check: nnlib, tests, scripts, chapters)"
ruff check .
ruff format --check .

echo "==> pytest: nnlib unit tests + strict nbval over every chapter notebook"
pytest tests chapters --nbval --nbval-current-env --ignore=tests/site -q

echo "==> jupyter-book build (warnings are errors)"
jupyter-book build . -W -n --keep-going

echo "==> checks on the built site"
pytest tests/site -q
