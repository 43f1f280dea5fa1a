"""Run auth0-server-python's documented state-store examples, as written, on auth0-core.

    .venv/bin/python scripts/official_store_examples.py [--repo PATH | --docs PATH]

``examples/ConfigureStore.md`` of auth0-server-python shows a ``RedisStateStore`` (section 3.1)
and a ``PostgresStateStore`` (section 3.2) that subclass its ``StateStore``. This project does
not copy that code: this script reads the page (pinned to :data:`COMMIT`) from a clone of the
official repository (``--repo``, ``$AUTH0_SERVER_PYTHON_REPO``, or the local snapshot
:data:`DEFAULT_REPO`) or from the file itself (``--docs``, ``$AUTH0_SERVER_PYTHON_DOCS``),
takes each example's first Python block, checks its SHA-256, applies the edits of
:data:`EDITS` (each must match exactly once) and executes it. It then starts its own
redis-server and PostgreSQL (the servers of ``tests/redis`` and ``tests/compat_stores``) and
runs each store through ``auth0_anyio.ServerClient`` on asyncio with the scenario of
``tests/compat_stores/scenario.py``: login, session, refresh, back-channel logout, logout.

CI cannot run it: its machines have no access to the official repository, and the official
sdist and wheel do not ship ``examples/``. The pytest suite proves the same compatibility with
stores of our own (``tests/compat_stores/test_database_stores.py``).

Exit status: 0 every check passed; 1 a check failed; 2 the page is not available; 3 a
server could not be started.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test helpers: tests/ is a package of the repository

import pytest  # noqa: E402  (the server helpers fail through pytest.fail)
from tests.compat_stores.postgres import PostgresServer  # noqa: E402
from tests.compat_stores.postgres import free_port as postgres_port  # noqa: E402
from tests.compat_stores.scenario import make_app, whole_session  # noqa: E402
from tests.e2e.conftest import SECRET  # noqa: E402
from tests.redis.servers import RedisServer  # noqa: E402
from tests.redis.servers import free_port as redis_port  # noqa: E402

import redis  # noqa: E402

COMMIT = "75920ab4ce1b24b950eaf38962b825ab6b7622c9"
PAGE = "examples/ConfigureStore.md"
DEFAULT_REPO = "/work/.mirror/auth0+auth0-server-python/repo"
SECTIONS = {"redis": "### 3.1. Redis-Based Example", "postgres": "### 3.2. Postgres-Based Example"}
# The sha256 of each example block at COMMIT, before the edits.
BLOCK_SHA256 = {
    "redis": "75442f90f899196320aac720582603cf4fe32aa86b54c6e74fffa624331b6c06",
    "postgres": "0547862ad1474c329c1c04f4e07c48813b00e901b4cb8f69fdcae30deae9f60d",
}
COOKIE = "_a0_session"  # the examples' cookie_name; they set the state identifier as its value


class Edit(NamedTuple):
    example: str
    old: str
    new: str
    why: str


EDITS = [
    Edit(
        "redis",
        "import aioredis\n",
        "from redis import asyncio as aioredis\n",
        "the abandoned 'aioredis' 2.0.1 does not import on Python 3.11+ (TypeError: duplicate "
        "base class TimeoutError); redis-py's redis.asyncio has the same from_url, get, set, "
        "delete and keys",
    ),
    Edit(
        "redis",
        "from auth0_server_python.store import StateStore\n",
        "from auth0_core.stores import StateStore\n",
        "the import line: our base class",
    ),
    Edit(
        "postgres",
        "from auth0_server_python.store import StateStore\n",
        "from auth0_core.stores import StateStore\n",
        "the import line: our base class",
    ),
]

# Left to the reader by the page, filled here (not edits of the code): the placeholders
# (secret, redis_url, dsn point at the servers started here), and the table the PostgreSQL
# example writes to, never defined on the page: its ON CONFLICT needs a unique session_id and
# its -> / ->> queries a JSON column.
TABLE = "CREATE TABLE auth_sessions (session_id text PRIMARY KEY, session_data jsonb NOT NULL)"


class DocsUnavailable(Exception):
    """The page could not be read."""


def read_page(docs: str | None, repo: str | None) -> str:
    docs = docs or os.environ.get("AUTH0_SERVER_PYTHON_DOCS")
    if docs:
        try:
            return Path(docs).read_text(encoding="utf-8")
        except OSError as error:
            raise DocsUnavailable(f"cannot read {docs}: {error}") from error
    repo = repo or os.environ.get("AUTH0_SERVER_PYTHON_REPO") or DEFAULT_REPO
    if not Path(repo).exists():
        raise DocsUnavailable(f"{repo} does not exist")
    git = shutil.which("git")
    if git is None:
        raise DocsUnavailable("git is not installed (needed to read the page from a clone)")
    shown = subprocess.run(  # noqa: S603  (git, with the path the user gave)
        [git, "-C", repo, "show", f"{COMMIT}:{PAGE}"], capture_output=True, check=False
    )
    if shown.returncode != 0:
        detail = shown.stderr.decode(errors="replace").strip()
        raise DocsUnavailable(f"{repo} does not hold {PAGE} at {COMMIT[:12]}: {detail}")
    return shown.stdout.decode("utf-8")


def example_source(page: str, example: str) -> str:
    """The example's first Python block after its heading, before any edit."""
    start = page.find(SECTIONS[example])
    if start < 0:
        raise AssertionError(f"the page has no heading {SECTIONS[example]!r}")
    found = re.compile(r"```python\n(.*?)```", re.DOTALL).search(page, start)
    if found is None:
        raise AssertionError(f"no Python block after {SECTIONS[example]!r}")
    return found.group(1)


def edited_source(page: str, example: str) -> str:
    source = example_source(page, example)
    digest = hashlib.sha256(source.encode()).hexdigest()
    if digest != BLOCK_SHA256[example]:
        raise AssertionError(f"the {example} block changed on the page (sha256 {digest})")
    for edit in EDITS:
        if edit.example == example:
            count = source.count(edit.old)
            if count != 1:
                raise AssertionError(f"{edit.old!r} is {count} times in the {example} block")
            source = source.replace(edit.old, edit.new)
    return source


def load(page: str, example: str) -> dict[str, Any]:
    """Execute the edited example in a fresh namespace and return that namespace."""
    namespace: dict[str, Any] = {"__name__": f"official_docs_{example}"}
    code = compile(edited_source(page, example), f"<{PAGE} {example} example>", "exec")
    exec(code, namespace)  # noqa: S102  (the pinned, hash-checked docs block)
    return namespace


def check_edits(page: str) -> None:
    """Each edit applies exactly once, and the rest of each block is the page's text."""
    for example in SECTIONS:
        original, edited = example_source(page, example), edited_source(page, example)
        for edit in EDITS:
            if edit.example == example:
                original = original.replace(edit.old, edit.new)
        assert original == edited
        assert "auth0_server_python" not in edited


async def run_redis(page: str, server: RedisServer) -> None:
    plain = redis.Redis.from_url(server.url)
    plain.flushall()
    store = load(page, "redis")["RedisStateStore"](
        secret=SECRET, redis_url=server.url, cookie_name=COOKIE
    )

    async def stored() -> dict[str, Any] | None:
        raw = plain.get(COOKIE)  # the example keys the session by the state identifier
        return None if raw is None else dict(json.loads(raw))  # and keeps plain JSON

    try:
        app = make_app("asyncio", store)
        await whole_session(app, stored, COOKIE)
        assert plain.dbsize() == 0, "keys left in Redis"
    finally:
        await store.redis_client.aclose()
        plain.close()


async def run_postgres(page: str, server: PostgresServer) -> None:
    server.psql(f"DROP TABLE IF EXISTS auth_sessions; {TABLE}")
    store = load(page, "postgres")["PostgresStateStore"](
        secret=SECRET, dsn=server.dsn, cookie_name=COOKIE
    )
    await store.init_pool()

    async def stored() -> dict[str, Any] | None:
        rows = server.psql("SELECT session_data FROM auth_sessions")
        return dict(json.loads(rows)) if rows else None

    try:
        await whole_session(make_app("asyncio", store), stored, COOKIE)
        assert server.psql("SELECT count(*) FROM auth_sessions") == "0", "rows left"
    finally:
        await store.pool.close()


def refuses_sync(page: str, redis_url: str) -> None:
    """The sync facade refuses both stores at construction (they are async)."""
    from auth0_core.errors import ConfigurationError

    for store in (
        load(page, "redis")["RedisStateStore"](secret=SECRET, redis_url=redis_url),
        load(page, "postgres")["PostgresStateStore"](secret=SECRET, dsn="postgresql://unused"),
    ):
        refusal = ""
        try:
            make_app("sync", store)
        except ConfigurationError as error:
            refusal = str(error)
        if "auth0_anyio.ServerClient" not in refusal:
            raise AssertionError(f"the sync facade accepted {type(store).__name__}: {refusal!r}")


def report(name: str, check: Callable[[], Awaitable[None] | None]) -> bool:
    try:
        result = check()
        if result is not None:
            asyncio.run(_awaited(result))
    except Exception:
        print(f"FAIL  {name}")
        print("      " + traceback.format_exc().replace("\n", "\n      ").rstrip())
        return False
    print(f"PASS  {name}")
    return True


async def _awaited(result: Awaitable[None]) -> None:
    await result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--repo", help=f"a git directory of auth0-server-python with {COMMIT}")
    source.add_argument("--docs", help=f"the file {PAGE} itself (as of {COMMIT[:12]})")
    arguments = parser.parse_args(argv)
    try:
        page = read_page(arguments.docs, arguments.repo)
    except DocsUnavailable as error:
        print(
            f"official_store_examples: auth0-server-python's {PAGE} is not available: {error}.\n"
            f"Pass --repo PATH (a clone holding commit {COMMIT}) or --docs PATH (that file);\n"
            "nothing was run.",
            file=sys.stderr,
        )
        return 2
    print(f"{PAGE} at {COMMIT[:12]}, run through auth0_anyio.ServerClient on asyncio")
    directory = Path(tempfile.mkdtemp(prefix="auth0-core-examples-"))
    redis_server = RedisServer(
        directory / "redis", redis_port(), "--save", "", "--appendonly", "no"
    )
    postgres_server = PostgresServer(postgres_port())
    try:
        try:
            redis_server.start()
            postgres_server.start()
        except (Exception, pytest.fail.Exception) as error:
            print(f"official_store_examples: cannot start the servers: {error}", file=sys.stderr)
            return 3
        print(f"redis-server on {redis_server.url}, PostgreSQL on {postgres_server.dsn}")
        results = [
            report("the listed edits are all there is", lambda: check_edits(page)),
            report(
                "Redis example (3.1): login, session, refresh, back-channel logout, logout",
                lambda: run_redis(page, redis_server),
            ),
            report(
                "PostgreSQL example (3.2): login, session, refresh, back-channel logout, logout",
                lambda: run_postgres(page, postgres_server),
            ),
            report(
                "the sync facade refuses both examples",
                lambda: refuses_sync(page, redis_server.url),
            ),
        ]
    finally:
        redis_server.stop()
        postgres_server.stop()
        shutil.rmtree(directory, ignore_errors=True)
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
