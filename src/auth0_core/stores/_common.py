"""Helpers the stores share: reading a record's expiry, and warning without repeating."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger("auth0_core.stores")


def expires_at(value: Mapping[str, Any]) -> int | None:
    """The record's absolute expiry in Unix seconds, when it carries one.

    Sessions keep it in ``internal.expires_at``; transactions at the top level.
    """
    internal = value.get("internal")
    if isinstance(internal, Mapping):
        found = _unix(internal.get("expires_at"))
        if found is not None:
            return found
    return _unix(value.get("expires_at"))


def _unix(value: Any) -> int | None:
    # bool is an int subclass; a stray True must not read as "expires at 1970-01-01T00:00:01".
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def is_expired(value: Mapping[str, Any], now: float) -> bool:
    """True once ``now`` has reached the record's expiry."""
    deadline = expires_at(value)
    return deadline is not None and now >= deadline


class OnceLogger:
    """Logs each distinct situation at WARNING the first time, then at DEBUG.

    An attacker can send a bad cookie on every request; the operator needs to learn that it
    happens, not to have the log flooded. Messages never include cookie values.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def warn(self, situation: str, message: str, *args: object) -> None:
        """Log ``message % args``: WARNING when ``situation`` is new, DEBUG afterwards."""
        level = logging.DEBUG if situation in self._seen else logging.WARNING
        self._seen.add(situation)
        logger.log(level, message, *args)
