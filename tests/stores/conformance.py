"""What ``isinstance`` against a ``runtime_checkable`` protocol does not check: signatures.

``isinstance(store, StateStoreProtocol)`` only looks for the member names. :func:`mismatches` also
compares each member's parameters (names, kinds, defaults) and whether it is a coroutine
function, so a store whose ``set`` forgot ``options`` or is async where it must be sync shows up.
"""

from __future__ import annotations

import inspect
from typing import Any, Protocol


def _members(protocol: type) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for cls in reversed(protocol.__mro__):
        if cls in (object, Protocol) or not getattr(cls, "_is_protocol", False):
            continue
        found.update({n: v for n, v in vars(cls).items() if callable(v) and not n.startswith("_")})
    return found


def _parameters(function: Any, *, bound: bool) -> list[tuple[str, Any, Any]]:
    parameters = list(inspect.signature(function).parameters.values())
    return [(p.name, p.kind, p.default) for p in (parameters if bound else parameters[1:])]


def mismatches(store: object, protocol: type) -> list[str]:
    """The members of ``protocol`` that ``store`` lacks or defines differently (empty: none)."""
    problems = []
    for name, expected in sorted(_members(protocol).items()):
        actual = getattr(store, name, None)
        if actual is None:
            problems.append(f"{name}: missing")
            continue
        if _parameters(actual, bound=True) != _parameters(expected, bound=False):
            problems.append(f"{name}: parameters {inspect.signature(actual)}")
        if inspect.iscoroutinefunction(actual) != inspect.iscoroutinefunction(expected):
            problems.append(f"{name}: sync/async differs")
    return problems
