#!/usr/bin/env bash
# Set up, then run the whole suite: lint, strict typing, and every test, against the wheel a
# user would install (built here from the sdist, as `python -m build` does).
set -euo pipefail
cd "$(dirname "$0")/.."
# tests/redis start real Redis servers (a standalone one and a three-node cluster): Debian's
# redis-server and redis-cli. CI runs as root on a fresh machine; without them those tests fail.
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    # A postinst that cannot start the packaged service (no init system) does not matter: the
    # tests start their own servers. What matters is that the binaries are there afterwards.
    $sudo apt-get update -qq || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools || true
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
        echo "scripts/test.sh: could not install redis-server and redis-tools (Debian)" >&2
        exit 1
    }
fi
# tests/compat_stores start a real PostgreSQL server (initdb + postgres, as the postgres user
# when root): Debian's postgresql package, whose binaries live in /usr/lib/postgresql/*/bin.
if ! ls /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    # As for Redis: a postinst that cannot start the packaged cluster does not matter.
    $sudo apt-get update -qq || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql || true
    ls /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || {
        echo "scripts/test.sh: could not install postgresql (Debian)" >&2
        exit 1
    }
fi
# tests/interop_op start a certified OpenID Provider: the npm package oidc-provider (pinned in
# tests/oidc_provider/package-lock.json) on Node. Debian's nodejs and npm where missing; the
# package needs Node >= 20.18 (URL.parse): Debian 13 ships 20.19, Debian 12 only 18.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm || true
    command -v node >/dev/null && command -v npm >/dev/null || {
        echo "scripts/test.sh: could not install nodejs and npm (Debian)" >&2
        exit 1
    }
fi
node -e 'process.exit(typeof URL.parse === "function" ? 0 : 1)' || {
    echo "scripts/test.sh: oidc-provider needs Node >= 20.18; found $(node --version)" >&2
    exit 1
}
if [ ! -d tests/oidc_provider/node_modules/oidc-provider ]; then
    npm ci --prefix tests/oidc_provider --no-audit --no-fund --prefer-offline --loglevel=error
fi
# tests/browser drive a headless Chromium through WebDriver: Debian's chromium and
# chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver, always the same version).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver || true
    [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] || {
        echo "scripts/test.sh: could not install chromium and chromium-driver (Debian)" >&2
        exit 1
    }
fi
bash scripts/venv.sh
.venv/bin/python -m pip install --quiet --disable-pip-version-check 'build>=1.2'
rm -rf dist
.venv/bin/python -m build --outdir dist . >/dev/null
wheel=$(ls dist/auth0_core-*.whl)
.venv/bin/python -m pip install --quiet --disable-pip-version-check "${wheel}[dev]"
# Replace any editable install (scripts/setup.sh) with the wheel itself.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
export AUTH0_CORE_DIST=dist AUTH0_CORE_EXPECT_INSTALLED=1
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src tests benchmarks
.venv/bin/mypy src tests benchmarks
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
