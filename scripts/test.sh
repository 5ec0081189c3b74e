#!/usr/bin/env bash
# README command 2: set up .venv and run every check: lint, unit tests, strict nbval over all
# chapters, the book build with warnings as errors, and the checks on the built site.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset MPLBACKEND
export PATH="$PWD/.venv/bin:$PATH"
# nnlib pins one portable numerics path at import; under the tests a pin that cannot take effect
# is an error, not a warning (README, section "数值路径").
export NNLIB_STRICT_NUMERICS=1
unset NNLIB_NATIVE_NUMERICS

echo "==> ruff (lint + format check: nnlib, tests, scripts, chapters)"
ruff check .
ruff format --check .

# Run as if on another x86-64 CPU: hide AVX/AVX2/FMA/AVX-512 from glibc's libm and limit MKL to
# SSE4.2. The stored outputs were made without these limits, so this proves they do not depend
# on the CPU's features (README, section "数值路径").
export GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-AVX512F,-FMA,-AVX MKL_ENABLE_INSTRUCTIONS=SSE4_2
echo "==> pytest: nnlib unit tests"
pytest tests --ignore=tests/site -q
# Several notebooks at once, each in its own kernel on one thread (as execute_notebooks.py runs
# them); --dist loadscope keeps the cells of a notebook together, in order, in one worker.
JOBS="${NBVAL_JOBS:-$(cd scripts && python -c 'import execute_notebooks as e; print(e.default_jobs())')}"
echo "==> strict nbval over every section notebook, $JOBS at a time"
pytest chapters --nbval --nbval-current-env -q -n "$JOBS" --dist loadscope
unset GLIBC_TUNABLES MKL_ENABLE_INSTRUCTIONS

echo "==> every chapter under two other numerics paths, without the pin: every assert must hold"
bash scripts/check_numerics_paths.sh

echo "==> jupyter-book build (warnings are errors)"
jupyter-book build . -W -n --keep-going

echo "==> the other editions into _build/html/downloads: nnlib wheel, notebook zip, PDF"
python scripts/editions.py
python scripts/build_pdf.py

echo "==> checks on the built site"
pytest tests/site -q
