#!/usr/bin/env bash
# For development: .venv with an editable install of auth0-core, every extra and the test tools,
# so that edits under src/ take effect without reinstalling. (scripts/test.sh installs the
# built wheel instead, as CI does; run this again afterwards to go back to editing.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
