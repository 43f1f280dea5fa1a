"""Signing key rotation at a certified OP, mid-session, through every facade.

The OP starts signing with a new generation of keys (one per algorithm, first in its JWKS,
the previous ones still published after them, as oidc-provider's documentation recommends
for a rotation). A client that cached the old JWKS meets an ID token with an unknown ``kid``,
re-fetches the JWKS once (OIDC Core §10.1.1) and keeps working: the session from before the
rotation, a refresh, new logins, and logins with the other algorithms' new keys.
"""

from __future__ import annotations

from typing import Any

import pytest

from ..oidc_provider.harness import ACCESS_TOKEN_TTL, CALLBACK, OpenIDProvider, client_id_for
from .conftest import OPApp, jwt_header

pytestmark = pytest.mark.anyio

CONSENT: dict[str, Any] = {"redirect_uri": CALLBACK, "prompt": "consent"}


async def test_one_rotation_mid_session(op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    op_app.use(authorization_params=CONSENT)
    jwks_before = oidc_op.hits("/jwks")
    await op_app.login("alice")
    old_kid = jwt_header((await op_app.session())["id_token"])["kid"]
    assert oidc_op.hits("/jwks") == jwks_before + 1

    new_kids = oidc_op.rotate_keys()
    assert old_kid not in new_kids
    published = [key["kid"] for key in oidc_op.jwks()["keys"]]
    assert published.index(old_kid) > max(published.index(kid) for kid in new_kids)

    # The session from before the rotation still reads, and refreshes: the refresh's ID
    # token is signed with the new key, which the client fetches once.
    assert (await op_app.user())["sub"] == "alice"
    op_app.clock_offset = ACCESS_TOKEN_TTL
    await op_app.with_store("get_access_token")
    refreshed = jwt_header((await op_app.session())["id_token"])
    assert refreshed["alg"] == "RS256"
    assert refreshed["kid"] in new_kids
    assert oidc_op.hits("/jwks") == jwks_before + 2

    # A new login (another user, another browser) validates with the new key, with no
    # further JWKS request.
    op_app.browser.cookies.clear()
    op_app.op_browser = oidc_op.browser()
    await op_app.login("bob")
    assert jwt_header((await op_app.session())["id_token"])["kid"] in new_kids
    assert (await op_app.user())["sub"] == "bob"
    assert oidc_op.hits("/jwks") == jwks_before + 2

    # Clients started after the rotation, for the other algorithms' new keys: one JWKS
    # fetch each (their first), no re-fetch.
    for alg in ("PS256", "ES256"):
        client = op_app.make_client(client_id=client_id_for(alg), algorithms=[alg])
        op_app.browser.cookies.clear()
        await op_app.login("carol", client=client)
        session = await op_app.with_store("get_session", client=client)
        header = jwt_header(session["id_token"])
        assert header["alg"] == alg
        assert header["kid"] in new_kids
    assert oidc_op.hits("/jwks") == jwks_before + 4


async def test_a_second_rotation_right_after_the_first(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    """Two rotations within the JWKS re-fetch interval (30 s): each new kid may cause one
    re-fetch (docs/network.md, "JWKS re-fetches"), so neither rotation is an outage."""
    op_app.use(authorization_params=CONSENT)
    await op_app.login("alice")
    jwks_before = oidc_op.hits("/jwks")

    first = oidc_op.rotate_keys()
    op_app.browser.cookies.clear()
    op_app.op_browser = oidc_op.browser()
    await op_app.login("bob")
    assert jwt_header((await op_app.session())["id_token"])["kid"] in first
    assert oidc_op.hits("/jwks") == jwks_before + 1

    second = oidc_op.rotate_keys()  # moments later: well inside the 30 s interval
    assert not set(first) & set(second)
    op_app.browser.cookies.clear()
    op_app.op_browser = oidc_op.browser()
    await op_app.login("carol")
    assert jwt_header((await op_app.session())["id_token"])["kid"] in second
    assert (await op_app.user())["sub"] == "carol"
    assert oidc_op.hits("/jwks") == jwks_before + 2

    # A refresh of carol's session is signed with the same new key: no further fetch.
    op_app.clock_offset = ACCESS_TOKEN_TTL
    await op_app.with_store("get_access_token")
    assert jwt_header((await op_app.session())["id_token"])["kid"] in second
    assert oidc_op.hits("/jwks") == jwks_before + 2
