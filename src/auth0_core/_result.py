"""Results that read both as objects and as the dicts the seeds index into."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

# The seeds read app_state under both spellings (protocol doc §2.8, §5.1).
_ALIASES = {"appState": "app_state", "authorizationDetails": "authorization_details"}


@attrs.frozen(kw_only=True)
class LoginResult(Mapping[str, Any]):
    """What ``complete_interactive_login`` (and linking) return.

    ``result.app_state``, ``result["app_state"]`` and ``result.get("appState")`` all work.
    No token is part of it.
    """

    app_state: Any = None
    user: Mapping[str, Any] = attrs.field(factory=dict)
    authorization_details: tuple[Mapping[str, Any], ...] | None = None

    def __getitem__(self, key: str) -> Any:
        name = _ALIASES.get(key, key)
        if name not in ("app_state", "user", "authorization_details"):
            raise KeyError(key)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(("app_state", "user", "authorization_details"))

    def __len__(self) -> int:
        return 3

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _ALIASES.get(key, key) in set(self)
