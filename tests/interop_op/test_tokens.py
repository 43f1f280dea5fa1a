"""Refresh with rotation, client credentials and PAR against a certified OP, through every
facade.

The OP rotates refresh tokens on every use and refuses a used one (RFC 9700 §4.14.2,
refresh token rotation), and it grants ``offline_access`` only with ``prompt=consent`` (OIDC
Core §11), so the logins here ask for consent.
"""

from __future__ import annotations

from typing import Any

import pytest

from auth0_core.errors import InvalidGrantError, OAuthError

from ..oidc_provider.harness import (
    ACCESS_TOKEN_TTL,
    CALLBACK,
    CLIENT_SECRET,
    RESOURCE,
    OpenIDProvider,
)
from .conftest import OPApp, jwt_claims, query

pytestmark = pytest.mark.anyio

CONSENT: dict[str, Any] = {"redirect_uri": CALLBACK, "prompt": "consent"}


async def test_refresh_rotates_and_the_op_refuses_the_used_token(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    op_app.use(authorization_params=CONSENT)
    await op_app.login("alice")
    before = await op_app.session()
    first_refresh = before["refresh_token"]
    assert first_refresh
    assert "offline_access" in before["token_sets"][0]["scope"].split()
    first_access = before["token_sets"][0]["access_token"]

    # The access token has expired as far as the client can tell: the next call refreshes.
    op_app.clock_offset = ACCESS_TOKEN_TTL + 60
    refreshes = oidc_op.hits("/token", "POST")
    access = await op_app.with_store("get_access_token")
    assert oidc_op.hits("/token", "POST") == refreshes + 1
    assert access != first_access
    assert oidc_op.introspect(access)["active"] is True

    after = await op_app.session()
    assert after["refresh_token"]
    assert after["refresh_token"] != first_refresh  # rotated
    # The refresh's ID token (OIDC Core §12.2) passed the SDK's checks and is kept.
    assert jwt_claims(after["id_token"])["sub"] == "alice"
    assert (await op_app.user())["sub"] == "alice"

    # The cached token is served without another refresh.
    assert await op_app.with_store("get_access_token") == access
    assert oidc_op.hits("/token", "POST") == refreshes + 1

    # The OP refuses the used refresh token (and, as RFC 9700 recommends, revokes the grant).
    with pytest.raises(InvalidGrantError):
        await op_app.call("get_token_by_refresh_token", {"refresh_token": first_refresh})


async def test_a_session_refreshes_twice_in_a_row(op_app: OPApp) -> None:
    op_app.use(authorization_params=CONSENT)
    await op_app.login("alice")
    seen = {(await op_app.session())["refresh_token"]}
    for step in (1, 2):
        op_app.clock_offset = step * (ACCESS_TOKEN_TTL + 60)
        await op_app.with_store("get_access_token")
        seen.add((await op_app.session())["refresh_token"])
    assert len(seen) == 3


async def test_stateless_refresh_returns_the_rotated_token(op_app: OPApp) -> None:
    op_app.use(authorization_params=CONSENT)
    await op_app.login("alice")
    refresh_token = (await op_app.session())["refresh_token"]
    answer = await op_app.call("get_token_by_refresh_token", {"refresh_token": refresh_token})
    assert answer["access_token"]
    assert answer["refresh_token"] != refresh_token
    again = await op_app.call(
        "get_token_by_refresh_token", {"refresh_token": answer["refresh_token"]}
    )
    assert again["refresh_token"] not in (refresh_token, answer["refresh_token"])


async def test_client_credentials(op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    """The client-credentials token is one the OP issued to the client, and it is cached.

    The SDK speaks Auth0's dialect: it sends ``audience``, which a standard OP ignores; the
    OP's token is then not for ``RESOURCE`` (docs/interop-op.md lists this disagreement), so
    only what holds in any dialect is checked here."""
    requests_before = oidc_op.hits("/token", "POST")
    token = await op_app.call("get_client_credentials_token", RESOURCE)
    seen = oidc_op.introspect(token)
    assert seen["active"] is True
    assert seen["client_id"] == op_app.options["client_id"]
    assert "sub" not in seen or seen["sub"] == op_app.options["client_id"]
    assert await op_app.call("get_client_credentials_token", RESOURCE) == token
    assert oidc_op.hits("/token", "POST") == requests_before + 1


async def test_client_credentials_refused_for_a_wrong_secret(op_app: OPApp) -> None:
    wrong = CLIENT_SECRET[::-1]
    client = op_app.make_client(client_secret=wrong)
    with pytest.raises(OAuthError) as caught:
        await op_app.call("get_client_credentials_token", RESOURCE, client=client)
    assert caught.value.error == "invalid_client"
    assert caught.value.status == 401
    assert wrong not in str(caught.value)


async def test_pushed_authorization_request(op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    """With PAR (RFC 9126) the authorize URL carries only client_id and request_uri."""
    op_app.use(pushed_authorization_requests=True)
    pushed = oidc_op.hits("/request", "POST")
    url = await op_app.start_login()
    assert oidc_op.hits("/request", "POST") == pushed + 1
    sent = query(url)
    assert set(sent) == {"client_id", "request_uri"}
    assert sent["request_uri"][0].startswith("urn:ietf:params:oauth:request_uri:")
    callback = op_app.op_browser.authorize(url)
    await op_app.with_store("complete_interactive_login", callback)
    assert (await op_app.user())["sub"] == "alice"
