"""What the store logic asks of Redis: the logic is written once, as generators (like the
core's flows), and run by a blocking runner (``redis.Redis``), an awaiting one
(``redis.asyncio``) or one that sends each command to a worker thread (trio)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

import attrs

from ._scripts import Script

T = TypeVar("T")
Arg = str | int


@attrs.frozen
class Command:
    """One Redis command; the result is Redis's reply (bytes or str, as the client decodes)."""

    args: tuple[Arg, ...]


@attrs.frozen
class Eval:
    """Run ``script`` on ``keys`` (one slot) with ``args``; the result is the script's reply."""

    script: Script
    keys: tuple[str, ...]
    args: tuple[Arg, ...] = ()


@attrs.frozen
class Sleep:
    """Wait ``seconds`` (a lock held by another instance); the result is None."""

    seconds: float


Step = Command | Eval | Sleep
RedisFlow = Generator[Step, Any, T]


def text(reply: object) -> str | None:
    """A string reply as ``str`` whatever the client's ``decode_responses``; None otherwise."""
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return reply if isinstance(reply, str) else None


def texts(reply: object) -> list[str]:
    """A multi-bulk reply (SMEMBERS) as strings."""
    if not isinstance(reply, list | set | tuple):
        return []
    return [found for item in reply if (found := text(item)) is not None]
