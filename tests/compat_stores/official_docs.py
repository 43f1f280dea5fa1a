"""The official SDK's store examples, read from its documentation at test time and run as written.

``examples/ConfigureStore.md`` of auth0-server-python shows a ``RedisStateStore`` (§3.1) and a
``PostgresStateStore`` (§3.2) that subclass its ``StateStore``. This project does not copy that
code: the test reads the page (pinned to one commit of the official repository, from a local
clone or snapshot), takes each example's first Python block, applies the few edits listed in
:data:`EDITS` (each must match exactly once, so a changed page fails loudly instead of testing
something else) and executes the result. The constructor calls of the docs' "Usage" blocks are
written out by the tests with the placeholders filled.

Where the page comes from: ``$AUTH0_SERVER_PYTHON_DOCS`` (a path to ``ConfigureStore.md``), or
``$AUTH0_SERVER_PYTHON_REPO`` (a git directory of auth0/auth0-server-python, bare or not), or the
snapshot ``/work/.mirror/auth0+auth0-server-python/repo``. With none of them the example tests
are skipped, saying so.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

import pytest

COMMIT = "75920ab4ce1b24b950eaf38962b825ab6b7622c9"
PAGE = "examples/ConfigureStore.md"
DEFAULT_REPO = "/work/.mirror/auth0+auth0-server-python/repo"
SECTIONS = {"redis": "### 3.1. Redis-Based Example", "postgres": "### 3.2. Postgres-Based Example"}
# The sha256 of each example block at COMMIT, before the edits.
BLOCK_SHA256 = {
    "redis": "75442f90f899196320aac720582603cf4fe32aa86b54c6e74fffa624331b6c06",
    "postgres": "0547862ad1474c329c1c04f4e07c48813b00e901b4cb8f69fdcae30deae9f60d",
}


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
        "the docs' typo-level bug: the abandoned 'aioredis' 2.0.1 does not import on Python 3.11+"
        " (TypeError: duplicate base class TimeoutError); redis-py's redis.asyncio is the same "
        "API (from_url, get, set, delete, keys) under the name the example uses",
    ),
    Edit(
        "redis",
        "from auth0_server_python.store import StateStore\n",
        "from auth0_core.stores import StateStore\n",
        "import line: our base class",
    ),
    Edit(
        "postgres",
        "from auth0_server_python.store import StateStore\n",
        "from auth0_core.stores import StateStore\n",
        "import line: our base class",
    ),
]

# What the page leaves to the reader, filled by the tests (not edits of the code):
# - placeholders: secret, redis_url and dsn point at the servers the tests start;
# - the PostgreSQL table the example writes to is not defined on the page; its queries need a
#   unique session_id (ON CONFLICT) and a json(b) session_data (the -> / ->> operators):
TABLE = "CREATE TABLE auth_sessions (session_id text PRIMARY KEY, session_data jsonb NOT NULL)"


def _page() -> str:
    explicit = os.environ.get("AUTH0_SERVER_PYTHON_DOCS")
    if explicit:
        return Path(explicit).read_text(encoding="utf-8")
    repo = os.environ.get("AUTH0_SERVER_PYTHON_REPO", DEFAULT_REPO)
    if not Path(repo).exists():
        pytest.skip(
            "auth0-server-python's docs are not on this machine: set AUTH0_SERVER_PYTHON_DOCS to "
            f"its {PAGE} or AUTH0_SERVER_PYTHON_REPO to a clone holding commit {COMMIT[:12]}"
        )
    shown = subprocess.run(
        ["git", "-C", repo, "show", f"{COMMIT}:{PAGE}"], capture_output=True, check=False
    )
    if shown.returncode != 0:
        pytest.skip(f"{repo} does not hold {PAGE} at {COMMIT[:12]}")
    return shown.stdout.decode("utf-8")


def example_source(example: str) -> str:
    """The example's first Python block after its heading, before any edit."""
    page = _page()
    start = page.index(SECTIONS[example])
    found = re.compile(r"```python\n(.*?)```", re.DOTALL).search(page, start)
    assert found is not None, f"no Python block after {SECTIONS[example]!r}"
    return found.group(1)


def edited_source(example: str) -> str:
    source = example_source(example)
    digest = hashlib.sha256(source.encode()).hexdigest()
    assert digest == BLOCK_SHA256[example], f"the {example} example changed on the page"
    for edit in EDITS:
        if edit.example == example:
            assert source.count(edit.old) == 1, f"{edit.old!r} is not once in the {example} block"
            source = source.replace(edit.old, edit.new)
    return source


def load(example: str) -> dict[str, Any]:
    """Execute the edited example in a fresh namespace and return that namespace."""
    namespace: dict[str, Any] = {"__name__": f"official_docs_{example}"}
    exec(compile(edited_source(example), f"<{PAGE} {example} example>", "exec"), namespace)
    return namespace
