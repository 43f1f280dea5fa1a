"""Signing-key rotation through every facade (issue 15, item 3): two rotations a few seconds
apart keep logins working, and forged kids cost a bounded number of JWKS requests
(docs/network.md, "JWKS re-fetches")."""

from __future__ import annotations

import pytest

from auth0_core._jwks import MAX_REFETCHES, REFETCH_INTERVAL
from auth0_core.errors import IdTokenError

from .conftest import App

pytestmark = pytest.mark.anyio
JWKS = "/.well-known/jwks.json"


async def test_two_rotations_seconds_apart_keep_logins_working(app: App) -> None:
    await app.login()
    fetched = app.tenant.count(path=JWKS)
    for user in ("bob", "alice", "bob"):
        app.tenant.rotate_signing_key()
        app.clock.advance(3)  # well within the re-fetch interval
        await app.login(user)
        assert (await app.user())["sub"] == f"auth0|{user}"
        fetched += 1  # one re-fetch for each new key, no more
        assert app.tenant.count(path=JWKS) == fetched


async def test_forged_kids_cost_a_bounded_number_of_fetches(app: App) -> None:
    await app.login()  # the set is cached
    fetched = app.tenant.count(path=JWKS)
    forged = iter(f"forged-kid-{n}" for n in range(100))
    app.tenant.id_token_hook = lambda claims, header: (claims, {**header, "kid": next(forged)})
    try:
        for _ in range(MAX_REFETCHES + 3):  # every one a kid never seen
            app.clock.advance(1)
            with pytest.raises(IdTokenError) as refused:
                await app.login()
            assert refused.value.claim == "kid"
        assert app.tenant.count(path=JWKS) == fetched + MAX_REFETCHES
        app.clock.advance(REFETCH_INTERVAL)  # the interval has passed: one more is allowed
        with pytest.raises(IdTokenError):
            await app.login()
        assert app.tenant.count(path=JWKS) == fetched + MAX_REFETCHES + 1
    finally:
        app.tenant.id_token_hook = None
    # The real key still works (it is in the cached set).
    await app.login("bob")
    assert (await app.user())["sub"] == "auth0|bob"


async def test_one_forged_kid_is_looked_for_once(app: App) -> None:
    await app.login()
    fetched = app.tenant.count(path=JWKS)
    app.tenant.id_token_hook = lambda claims, header: (claims, {**header, "kid": "same-forged"})
    try:
        for _ in range(MAX_REFETCHES + 1):
            with pytest.raises(IdTokenError):
                await app.login()
    finally:
        app.tenant.id_token_hook = None
    assert app.tenant.count(path=JWKS) == fetched + 1  # looked for once, until the next fetch
    # A genuine rotation right after is still served: the budget was not spent on it.
    app.tenant.rotate_signing_key()
    await app.login("bob")
    assert app.tenant.count(path=JWKS) == fetched + 2
