#!/usr/bin/env bash
# Set everything up, then run the demo: the emulated tenant and a small web app on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/auth0-core demo "$@"
