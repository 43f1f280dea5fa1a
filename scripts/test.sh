#!/usr/bin/env bash
# Set everything up, then run the whole suite: lint, strict typing, and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/mypy src tests benchmarks
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
