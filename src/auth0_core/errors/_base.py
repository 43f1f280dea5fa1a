"""Every error's root, and the one way text from the network reaches a message."""

from __future__ import annotations

import re

# What the server or the browser says can reach an error message only as one printable line:
# no CR/LF to forge log lines, no angle brackets to form markup, and a bounded length.
_SERVER_TEXT_LIMIT = 300
_SERVER_CODE_LIMIT = 100
# A JWT (a JWS or JWE in compact form: base64url JSON headers start "eyJ") a server echoes in
# its error_description: cut, so no message repeats a token.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){1,4}")


def printable(text: str, limit: int = _SERVER_TEXT_LIMIT) -> str:
    """``text`` as one printable, markup-free line of at most ``limit`` characters (+ "..."),
    any JWT in it cut."""
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    if "eyJ" in line:
        line = _JWT.sub("(a token)", line)
    line = line.replace("<", "\u2039").replace(">", "\u203a")
    return line[:limit] + ("..." if len(line) > limit else "")


def _printable_or_none(text: str | None, limit: int = _SERVER_TEXT_LIMIT) -> str | None:
    return None if text is None else printable(str(text), limit)


class Auth0Error(Exception):
    """Root of every error auth0-core raises; ``code`` is ours and stable (see the module).

    ``name`` is the class's name (the official SDK sets the same attribute on most classes).
    """

    code: str = "auth0_error"
    name: str = "Auth0Error"

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__

    def __init__(self, message: str | None = None) -> None:
        message = "" if message is None else message
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"
