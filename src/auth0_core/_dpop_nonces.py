"""DPoP nonces (RFC 9449 §8-9): what each server last sent, and whether an answer is a
``use_dpop_nonce`` challenge."""

from __future__ import annotations

import itertools
import re
from typing import Literal
from urllib.parse import urlsplit

from ._http import HttpResponse

__all__ = ["DPoPNonces", "ServerKind", "nonce_challenge"]

ServerKind = Literal["token", "resource"]
# RFC 9449 §8.1: nonce = 1*NQCHAR; bounded so a server cannot grow every proof without end.
_NONCE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,512}")
MAX_REMEMBERED_SERVERS = 64


def _origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port
    default = {"https": 443, "http": 80}.get(scheme)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


class DPoPNonces:
    """The latest ``DPoP-Nonce`` each server sent, per origin and kind (the authorization
    server's token endpoint and a resource server keep separate nonces, RFC 9449 §8-9, even
    when one origin serves both, as Auth0's My Account API does).

    Each server's nonce also has a *generation*: 0 until a challenge teaches a nonce, then a
    number that changes with every nonce a challenge teaches (a nonce a success brings keeps
    the generation). Shared requests are keyed by it (:func:`_proof_fetch`). Threads may call
    in at once: each update is one dict operation, and every caller that reads one challenge
    gets the same generation for its nonce.

    At most :data:`MAX_REMEMBERED_SERVERS` servers are kept, the oldest dropped first.
    """

    def __init__(self) -> None:
        self._nonces: dict[tuple[str, ServerKind], tuple[str, int]] = {}
        self._generations: dict[tuple[str, ServerKind, str], int] = {}
        self._counter = itertools.count(1)

    def current(self, url: str, kind: ServerKind) -> tuple[str | None, int]:
        """(the nonce to send to ``url``'s server, its generation); (None, 0) at first."""
        return self._nonces.get((_origin(url), kind), (None, 0))

    def get(self, url: str, kind: ServerKind) -> str | None:
        """The nonce to send to ``url``'s server, None until it sent one."""
        return self.current(url, kind)[0]

    def remember(
        self, url: str, kind: ServerKind, response: HttpResponse, *, challenge: bool = False
    ) -> str | None:
        """Keep the response's ``DPoP-Nonce`` (a success's or a challenge's); return it.

        ``challenge``: the response asked for the nonce, which then starts a new generation
        unless it is the one already known.
        """
        value = response.header("DPoP-Nonce")
        if value is None or not _NONCE.fullmatch(value.strip()):
            return None
        value = value.strip()
        key = (_origin(url), kind)
        stored = self._nonces.get(key, (None, 0))
        generation = stored[1]
        if challenge and value != stored[0]:
            # setdefault: threads reading the same challenge agree on one generation.
            generation = self._generations.setdefault((*key, value), next(self._counter))
            if len(self._generations) > 4 * MAX_REMEMBERED_SERVERS:
                for learned in list(self._generations)[:-MAX_REMEMBERED_SERVERS]:
                    self._generations.pop(learned, None)
        if (value, generation) != stored:
            self._nonces.pop(key, None)
            self._nonces[key] = (value, generation)
            if len(self._nonces) > MAX_REMEMBERED_SERVERS:
                for stale in list(self._nonces)[:-MAX_REMEMBERED_SERVERS]:
                    self._nonces.pop(stale, None)
        return value

    def __repr__(self) -> str:
        return f"DPoPNonces(servers={len(self._nonces)})"


# RFC 9110 §11.6.1 challenges: a scheme, then auth-params (token68 values read as params).
_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_PARAM = re.compile(rf'[ \t]*({_TOKEN})[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^ \t,"]*)')
_SCHEME = re.compile(rf"[ \t]*({_TOKEN})(?=[ \t,]|$)")


def _challenges(value: str) -> list[tuple[str, dict[str, str]]]:
    found: list[tuple[str, dict[str, str]]] = []
    position = 0
    while position < len(value):
        if value[position] in ", \t":
            position += 1
            continue
        match = _PARAM.match(value, position) if found else None
        if match is not None:
            raw = match.group(2)
            if raw.startswith('"'):
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
            found[-1][1].setdefault(match.group(1).lower(), raw)
            position = match.end()
            continue
        match = _SCHEME.match(value, position)
        if match is None:
            break  # not a challenge list we can read: what was read so far stands
        found.append((match.group(1).lower(), {}))
        position = match.end()
    return found


def nonce_challenge(response: HttpResponse, kind: ServerKind) -> bool:
    """Whether ``response`` asks for a DPoP nonce: ``400`` with ``error=use_dpop_nonce`` from
    a token endpoint (RFC 9449 §8; a ``401`` is read the same way), ``401`` with a ``DPoP``
    challenge whose ``error`` is ``use_dpop_nonce`` from a resource server (§9)."""
    if kind == "resource":
        if response.status != 401:
            return False
        return any(
            scheme == "dpop" and params.get("error") == "use_dpop_nonce"
            for header in response.header_values("WWW-Authenticate")
            for scheme, params in _challenges(header)
        )
    if response.status not in (400, 401):
        return False
    document = response.json_or_none()
    return isinstance(document, dict) and document.get("error") == "use_dpop_nonce"
