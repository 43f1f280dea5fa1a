"""Without the ``redis`` extra, ``import auth0_redis`` says what to install (typed as ours)."""

from __future__ import annotations

import subprocess
import sys


def test_import_without_redis_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"
        "from auth0_core.errors import MissingExtraError\n"
        "try:\n    import auth0_redis\n"
        "except MissingExtraError as exc:\n"
        "    assert isinstance(exc, ImportError)\n"
        "    print(exc.extra, '|', exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("redis |"), done.stdout
    assert "pip install 'auth0-core[redis]'" in done.stdout
