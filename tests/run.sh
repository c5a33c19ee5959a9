#!/usr/bin/env bash
# Installs what the tests need (LibreOffice as the independent recalculation engine,
# Node for the served JavaScript, the package with its test and server extras), checks
# formatting, lint and types, and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v soffice >/dev/null 2>&1; then
  echo "Installing LibreOffice Calc (headless) and poppler-utils..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui poppler-utils >/dev/null
fi

if ! command -v node >/dev/null 2>&1; then
  echo "Installing Node.js (runs the served custom functions' JavaScript)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
fi

python -m pip install -q --disable-pip-version-check -e ".[test,server]"
echo "ruff format --check, ruff check, mypy (models/, workbooks/)..."
python -m ruff format --check --quiet .
python -m ruff check --quiet .
python -m mypy
python -m pytest -q "$@"
