#!/usr/bin/env bash
# Set up, then run the demo: the emulated tenant and a small web app on loopback.
# Installs auth0-core with the 'demo' extra only: no test tools, no official SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
echo "Installing auth0-core with its 'demo' extra into .venv (the demo needs nothing else)..."
.venv/bin/python -m pip install --quiet --disable-pip-version-check '.[demo]'
exec .venv/bin/auth0-core demo "$@"
