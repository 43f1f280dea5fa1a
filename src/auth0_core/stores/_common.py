"""Helpers the stores share: cookie attributes, a record's expiry, warning without repeating."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigurationError

logger = logging.getLogger("auth0_core.stores")


# RFC 6265 §4.1.1 path-value: any CHAR except CTLs and ";"; we also require an absolute path.
_PATH = re.compile(r"/[\x20-\x3a\x3c-\x7e]*")
# A host name (RFC 1123 labels), with an optional leading dot as browsers accept it.
_DOMAIN = re.compile(
    r"\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)
_SAME_SITE = {"lax": "Lax", "strict": "Strict", "none": "None"}


def cookie_attributes(
    *, path: str, secure: bool, same_site: str = "Lax", domain: str | None = None
) -> dict[str, Any]:
    """Validated ``set_cookie`` keyword arguments (always ``HttpOnly``).

    The values go verbatim into ``Set-Cookie`` lines, so a CR, LF or ``;`` in them would let
    a configuration value inject headers or attributes: refused here, once, at construction.

    Raises:
        ConfigurationError: a path that is not an absolute cookie path, a domain that is not a
            host name, a ``same_site`` other than Lax/Strict/None, or ``None`` without
            ``secure`` (browsers drop such cookies).
    """
    if not isinstance(path, str) or not _PATH.fullmatch(path) or len(path) > 1024:
        raise ConfigurationError("path must be an absolute cookie path without ';' or controls.")
    if domain is not None and (not isinstance(domain, str) or not _DOMAIN.fullmatch(domain)):
        raise ConfigurationError("domain must be a host name.")
    normalized = _SAME_SITE.get(same_site.lower()) if isinstance(same_site, str) else None
    if normalized is None:
        raise ConfigurationError("same_site must be 'Lax', 'Strict' or 'None'.")
    if normalized == "None" and not secure:
        raise ConfigurationError("same_site='None' needs secure=True: browsers refuse it else.")
    attributes: dict[str, Any] = {
        "path": path,
        "secure": bool(secure),
        "httponly": True,
        "samesite": normalized,
    }
    if domain is not None:
        attributes["domain"] = domain
    return attributes


def delete_cookie(response: Any, name: str, attributes: Mapping[str, Any]) -> None:
    """Make the browser drop ``name``: the path (and domain) must be those it was set with."""
    scope = {"path": attributes["path"]}
    if "domain" in attributes:
        scope["domain"] = attributes["domain"]
    response.delete_cookie(name, **scope)


def expires_at(value: Mapping[str, Any]) -> int | None:
    """The record's absolute expiry in Unix seconds, when it carries one.

    Sessions keep it in ``internal.expires_at``; transactions at the top level.
    """
    internal = value.get("internal")
    if type(internal) is dict or isinstance(internal, Mapping):
        found = _unix(internal.get("expires_at"))
        if found is not None:
            return found
    return _unix(value.get("expires_at"))


def _unix(value: Any) -> int | None:
    # bool is an int subclass; a stray True must not read as "expires at 1970-01-01T00:00:01".
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
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

    def __init__(self, log: logging.Logger = logger) -> None:
        self._log = log
        self._seen: set[str] = set()

    def warn(self, situation: str, message: str, *args: object) -> None:
        """Log ``message % args``: WARNING when ``situation`` is new, DEBUG afterwards."""
        level = logging.DEBUG if situation in self._seen else logging.WARNING
        self._seen.add(situation)
        self._log.log(level, message, *args)
