"""The response the stores write cookies to: it records each write with the attributes the
integrations promise (``HttpOnly``, ``SameSite=Lax``, ``Secure`` by the request's scheme or the
app's override), and the integration copies the writes onto its framework's response."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class CookieWrite:
    """One ``Set-Cookie``: a deletion is a write of ``""`` with ``max_age=0``.

    Every write is ``HttpOnly`` and ``SameSite=Lax`` (the callback is a cross-site top-level
    GET, which Lax cookies reach and Strict ones do not).
    """

    name: str
    value: str
    max_age: int | None
    path: str
    domain: str | None
    secure: bool

    @property
    def deleted(self) -> bool:
        return self.max_age == 0


class PendingCookies:
    """A ``store_options["response"]`` for the stores (``set_cookie`` / ``delete_cookie``
    with the keyword set Werkzeug, Starlette and Django share).

    The store's own ``secure``, ``httponly`` and ``samesite`` arguments are replaced by the
    integration's: ``secure`` as given here, always ``HttpOnly``, always ``SameSite=Lax``.
    Only the last write of a cookie (name, path, domain) is kept, as a browser would keep it.
    """

    def __init__(self, *, secure: bool) -> None:
        self.secure = secure
        self._writes: dict[tuple[str, str, str | None], CookieWrite] = {}

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        **_attributes: object,
    ) -> None:
        self._record(CookieWrite(key, value, max_age, path or "/", domain, self.secure))

    def delete_cookie(
        self, key: str, path: str | None = "/", domain: str | None = None, **_attributes: object
    ) -> None:
        self._record(CookieWrite(key, "", 0, path or "/", domain, self.secure))

    def _record(self, write: CookieWrite) -> None:
        key = (write.name, write.path, write.domain)
        self._writes.pop(key, None)  # the latest write goes last
        self._writes[key] = write

    def __bool__(self) -> bool:
        """Whether writes are waiting to be copied to a response."""
        return bool(self._writes)

    def flush(self) -> list[CookieWrite]:
        """The writes not yet copied to a response, oldest first; forgets them."""
        writes = list(self._writes.values())
        self._writes.clear()
        return writes

    def write_to(self, response: Any, *, samesite: str = "Lax") -> None:
        """Copy the writes not yet copied onto a framework's ``response`` through its
        ``set_cookie`` (Werkzeug's, Starlette's and Django's take these keywords; Starlette
        wants ``samesite="lax"``)."""
        for write in self.flush():
            response.set_cookie(
                write.name,
                write.value,
                max_age=write.max_age,
                path=write.path,
                domain=write.domain,
                secure=write.secure,
                httponly=True,
                samesite=samesite,
            )
