"""Redirect targets: only paths of the application itself, so no route is an open redirect."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# The longest redirect target kept. A returnTo travels sealed in the login transaction, which a
# cookie store fits in one 4 KB cookie with everything else, and which a server-side store
# keeps for every login started: a target of any length would be a 500 in the first and
# memory for the taking in the second.
MAX_TARGET = 1024
# Printable ASCII stays as it is; anything beyond ASCII is percent-encoded (UTF-8), as a browser
# would send it, so the Location header is plain ASCII in every framework.
_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, an unbalanced IPv6 bracket
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def _is_local_path(value: str) -> bool:
    # Browsers read "//host" and "/\host" as another host, and drop tabs and newlines before
    # parsing a URL ("/\t/evil" becomes "//evil"): one leading "/", no backslash, no control
    # character (C0, DEL, C1) and no space anywhere.
    if not value.startswith("/") or value.startswith("//"):
        return False
    return not any(c == "\\" or ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F for c in value)


def same_origin_path(value: object, origin: str) -> str | None:
    """``value`` as a path of the application at ``origin`` (``scheme://host[:port]``), or
    None when it points anywhere else or could be read as pointing elsewhere.

    A path (``/orders?id=3``) passes as it is; an absolute URL passes, reduced to its path,
    query and fragment, only when its scheme, host and port are ``origin``'s. Refused:
    anything that is not a string, ``//evil.example`` and ``/\\evil.example`` (read by
    browsers as another host), backslashes, spaces and control characters anywhere, other
    schemes (``javascript:``), other origins, relative paths (``orders``), and targets longer
    than :data:`MAX_TARGET` once encoded. Characters beyond ASCII come back percent-encoded.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_TARGET:
        return None
    target = _local_target(value, origin)
    return target if target is not None and len(target) <= MAX_TARGET else None


def _local_target(value: str, origin: str) -> str | None:
    if _is_local_path(value):
        return quote(value, safe=_ASCII)
    if any(c == "\\" or ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        return None
    target, own = _origin(value), _origin(origin)
    if target is None or own is None or target != own:
        return None
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None:
        return None
    path = parts.path or "/"
    path += f"?{parts.query}" if parts.query else ""
    path += f"#{parts.fragment}" if parts.fragment else ""
    return quote(path, safe=_ASCII) if _is_local_path(path) else None
