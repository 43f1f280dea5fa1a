"""What the browser tests check at each step: the tenant's login form filled as a user would,
and the cookies the browser holds (names, flags, the session's chunks)."""

from __future__ import annotations

import math
import re

from .chromium import Browser, Cookie
from .steps import Steps

SESSION = "_a0_session"
TRANSACTION = "_a0_tx"  # CookieTransactionStore: one sealed cookie per login
BINDING = "_a0_bind"  # every store: the login bound to the browser that started it
TENANT_SESSION = "auth0"  # the emulated tenant's own session cookie
_CHUNK = re.compile(rf"{SESSION}_(\d+)")


def log_in_at_tenant(
    browser: Browser, steps: Steps, tenant_url: str, email: str, password: str, step: str
) -> None:
    """On the tenant's login page: type the email and password, press Continue."""
    browser.wait_for_url_starting(f"{tenant_url}/")
    browser.fill("input[name='username']", email)
    browser.fill("input[name='password']", password)
    steps(step)
    browser.click("form button[type='submit']")


def assert_flags(cookie: Cookie, *, secure: bool = False) -> None:
    """What the integrations promise every cookie they write (docs/integrations.md)."""
    assert cookie.http_only, cookie
    assert cookie.same_site == "Lax", cookie
    assert cookie.secure is secure, cookie
    assert cookie.path == "/", cookie


def ours(cookies: dict[str, Cookie]) -> dict[str, Cookie]:
    """The SDK's cookies (session chunks, transactions) among ``cookies``."""
    return {name: c for name, c in cookies.items() if name.startswith(("_a0_",))}


def session_chunks(cookies: dict[str, Cookie], chunk_size: int) -> list[Cookie]:
    """The session's chunk cookies, in order, after checking them: ``_0`` to ``_{n-1}`` with
    no gap and nothing else named like the session, every chunk but the last exactly
    ``chunk_size`` long, and n the number the sealed value needs."""
    numbered = {}
    for name in cookies:
        if name.startswith(SESSION):
            match = _CHUNK.fullmatch(name)
            assert match, f"a session cookie outside the chunk layout: {name}"
            numbered[int(match.group(1))] = cookies[name]
    assert numbered, f"no session cookie among {sorted(cookies)}"
    assert sorted(numbered) == list(range(len(numbered))), sorted(numbered)
    chunks = [numbered[i] for i in range(len(numbered))]
    assert all(len(c.value) == chunk_size for c in chunks[:-1]), [len(c.value) for c in chunks]
    assert 0 < len(chunks[-1].value) <= chunk_size
    sealed = sum(len(c.value) for c in chunks)
    assert len(chunks) == math.ceil(sealed / chunk_size)
    return chunks
