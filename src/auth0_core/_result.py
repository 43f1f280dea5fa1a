"""What the ``complete_*`` calls return: a real ``dict`` with the official SDK's keys.

``complete_interactive_login`` returns ``{"state_data": <the session written>}`` plus
``"app_state"`` and ``"authorization_details"`` when they have a value (docs/compatibility.md);
``complete_link_user`` / ``complete_unlink_user`` return ``{"app_state": ...}``. The object is a
``dict`` subclass: ``isinstance(result, dict)``, ``json.dumps(result)``, ``dict(result)`` and
``result == {...}`` see exactly those keys.

Our extras never enter the dict's items:

- attributes ``result.app_state``, ``result.authorization_details``, ``result.state_data`` and
  ``result.user`` (the session's user after the call, also after a link);
- ``result["appState"]`` / ``result.get("appState")`` (and ``authorizationDetails``), the
  seeds' other spelling (protocol doc §2.8, §5.1);
- ``result["app_state"]`` and ``result["authorization_details"]`` answer None instead of
  ``KeyError`` when the call had none (the official SDK then omits the key).

``repr(result)`` hides the tokens ``state_data`` carries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

_ALIASES = {"appState": "app_state", "authorizationDetails": "authorization_details"}
_OPTIONAL_KEYS = frozenset({"app_state", "authorization_details"})
_TOKEN_KEYS = frozenset({"id_token", "refresh_token", "access_token"})


class LoginResult(dict[str, Any]):
    """What ``complete_interactive_login``, ``complete_link_user`` and
    ``complete_unlink_user`` return (see the module documentation)."""

    __slots__ = ("_user",)

    def __init__(self, items: Mapping[str, Any], /, *, user: Mapping[str, Any]) -> None:
        super().__init__(items)
        self._user = dict(user)

    @classmethod
    def login(
        cls,
        *,
        state_data: Mapping[str, Any],
        app_state: Any = None,
        authorization_details: Sequence[Mapping[str, Any]] | None = None,
    ) -> LoginResult:
        """The result of a login: ``state_data``, then ``app_state`` and
        ``authorization_details`` only when truthy (as the official SDK builds it)."""
        items: dict[str, Any] = {"state_data": dict(state_data)}
        if app_state:
            items["app_state"] = app_state
        if authorization_details:
            items["authorization_details"] = [dict(entry) for entry in authorization_details]
        return cls(items, user=state_data.get("user") or {})

    @classmethod
    def link(cls, *, app_state: Any, user: Mapping[str, Any]) -> LoginResult:
        """The result of a link or unlink: ``{"app_state": app_state}`` (None included)."""
        return cls({"app_state": app_state}, user=user)

    @property
    def app_state(self) -> Any:
        """The ``app_state`` given when the flow started, or None."""
        return self.get("app_state")

    @property
    def authorization_details(self) -> list[dict[str, Any]] | None:
        """The token response's ``authorization_details`` (Rich Authorization Requests)."""
        details: list[dict[str, Any]] | None = self.get("authorization_details")
        return details

    @property
    def state_data(self) -> dict[str, Any] | None:
        """The session written by a login (None for a link or unlink result)."""
        data: dict[str, Any] | None = self.get("state_data")
        return data

    @property
    def user(self) -> dict[str, Any]:
        """The session's user claims after the call (for a link: the merged user)."""
        return self._user

    def __missing__(self, key: str) -> Any:
        name = _ALIASES.get(key, key)
        if name in _OPTIONAL_KEYS:
            return dict.get(self, name)
        if name != key and name in self:
            return dict.__getitem__(self, name)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        """``dict.get``, also under the seeds' camelCase spellings."""
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return dict.get(self, _ALIASES.get(key, key), default)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_redacted(dict(self))!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (dict(self), self._user))


def _rebuild(items: dict[str, Any], user: dict[str, Any]) -> LoginResult:
    return LoginResult(items, user=user)


def _redacted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            k: "<redacted>" if k in _TOKEN_KEYS and v is not None else _redacted(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value
