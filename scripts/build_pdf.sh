#!/usr/bin/env bash
# The PDF edition in one command: set up .venv, build the single-page HTML, print it with the
# system Chromium into _build/pdf/ (and into _build/html/downloads/ when the site is built).
# Needs: chromium, fonts-noto-cjk, fonts-noto-mono, fonts-stix (Debian/Ubuntu; README "PDF 版").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
unset MPLBACKEND
.venv/bin/python scripts/build_pdf.py "$@"
