"""The standard dialect (``dialect="standard"``, docs/standard-dialect.md) against a certified
OP (oidc-provider), through every facade: RFC 8707 resource indicators (a token for a second
resource from the same refresh token, each checked to be for its resource), userinfo merged
into the user after checking ``sub``, RP-initiated logout at the ``end_session_endpoint`` with
``id_token_hint`` and ``state``, and the clear error for ``offline_access`` without consent.

This module starts its own OP (one Node process for the module): the default clients, and
two resource servers issuing JWT access tokens, one of them also opaque ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from auth0_core.errors import AccessTokenError, ConfigurationError

from ..oidc_provider.harness import (
    ACCESS_TOKEN_TTL,
    CALLBACK,
    LOGOUT_RETURN,
    RESOURCE,
    RESOURCE_SCOPES,
    OpenIDProvider,
    default_config,
)
from .conftest import OPApp, jwt_claims, query

pytestmark = pytest.mark.anyio

SECOND = "https://second.interop.example/"
OPAQUE = "https://opaque.interop.example/"
SCOPE = f"openid profile email offline_access {RESOURCE_SCOPES} read:second read:opaque"
# Every resource the refresh token may serve is in the authorization request (RFC 8707 §2.1:
# the OP grants a refresh for those only); several of them leave the login's token the
# default (userinfo) one unless ``audience`` names one.
CONSENT: dict[str, Any] = {
    "redirect_uri": CALLBACK,
    "prompt": "consent",
    "scope": SCOPE,
    "resource": [RESOURCE, SECOND, OPAQUE],
}


@pytest.fixture(scope="module")
def standard_op() -> Iterator[OpenIDProvider]:
    config = default_config()
    config["resources"] = {
        **config["resources"],
        SECOND: {"scope": "read:second", "accessTokenFormat": "jwt"},
        OPAQUE: {"scope": "read:opaque", "accessTokenFormat": "opaque"},
    }
    config["users"] = {"alice": {"given_name": "Alice", "family_name": "Example"}}
    with OpenIDProvider(config) as op:
        yield op


@pytest.fixture
async def app(mode: str, standard_op: OpenIDProvider) -> AsyncIterator[OPApp]:
    app = OPApp(mode, standard_op, dialect="standard", authorization_params=CONSENT)
    try:
        yield app
    finally:
        await app.aclose()


def audiences(token: str) -> list[str]:
    aud = jwt_claims(token)["aud"]
    return aud if isinstance(aud, list) else [aud]


async def test_a_token_for_a_second_resource_from_the_same_refresh_token(
    app: OPApp, standard_op: OpenIDProvider
) -> None:
    url = await app.start_login({"authorization_params": {**CONSENT, "audience": RESOURCE}})
    sent = query(url)
    assert sent["resource"] == [RESOURCE, SECOND, OPAQUE]
    assert "audience" not in sent
    await app.with_store("complete_interactive_login", app.op_browser.authorize(url))
    first = await app.session()
    (login_set,) = first["token_sets"]
    assert login_set["audience"] == RESOURCE
    assert audiences(login_set["access_token"]) == [RESOURCE]

    # The second resource's token, from the login's refresh token (rotated by the OP).
    second = await app.with_store("get_access_token", audience=SECOND)
    assert audiences(second) == [SECOND]
    assert jwt_claims(second)["sub"] == "alice"
    after = await app.session()
    assert after["refresh_token"] != first["refresh_token"]
    assert {s["audience"] for s in after["token_sets"]} == {RESOURCE, SECOND}
    # Both cached: no more token requests.
    hits = standard_op.hits("/token", "POST")
    assert await app.with_store("get_access_token", audience=SECOND) == second
    cached = await app.with_store("get_access_token", audience=RESOURCE)
    assert cached == login_set["access_token"]
    assert standard_op.hits("/token", "POST") == hits

    # Expired: the login resource's token is refreshed for that resource again.
    app.clock_offset = ACCESS_TOKEN_TTL + 60
    again = await app.with_store("get_access_token", audience=RESOURCE)
    assert again != login_set["access_token"]
    assert audiences(again) == [RESOURCE]


async def test_an_opaque_token_for_a_resource_is_refused_and_the_session_kept(
    app: OPApp, standard_op: OpenIDProvider
) -> None:
    await app.login()
    before = await app.session()
    with pytest.raises(AccessTokenError) as info:
        await app.with_store("get_access_token", audience=OPAQUE)
    assert info.value.code == "incorrect_audience"
    after = await app.session()
    assert [s["audience"] for s in after["token_sets"]] == ["default"]
    # The OP rotated the refresh token it answered with; the session holds the new one, which
    # still works (the OP would refuse the spent one and revoke the grant).
    assert after["refresh_token"] != before["refresh_token"]
    assert audiences(await app.with_store("get_access_token", audience=SECOND)) == [SECOND]


async def test_client_credentials_for_a_resource(app: OPApp, standard_op: OpenIDProvider) -> None:
    token = await app.call("get_client_credentials_token", RESOURCE)
    assert audiences(token) == [RESOURCE]
    assert await app.call("get_client_credentials_token", RESOURCE) == token
    with pytest.raises(AccessTokenError):  # opaque: cannot be shown to be for OPAQUE
        await app.call("get_client_credentials_token", OPAQUE)


async def test_userinfo_is_merged_into_the_user(app: OPApp, standard_op: OpenIDProvider) -> None:
    await app.login()
    assert set(await app.user()) >= {"sub", "iss", "aud"}
    assert "email" not in await app.user()  # the OP's ID token carries no profile (§5.4)

    app.use(fetch_userinfo="login_and_refresh")
    app.browser.cookies.clear()
    calls = standard_op.hits("/me")
    # A token for a resource is refused at this OP's userinfo endpoint: with userinfo on, the
    # code is exchanged without the login's resource (the default token serves userinfo).
    await app.login(options={"authorization_params": {**CONSENT, "audience": RESOURCE}})
    assert standard_op.hits("/me") == calls + 1
    assert [s["audience"] for s in (await app.session())["token_sets"]] == ["default"]
    user = await app.user()
    assert (user["sub"], user["email"], user["given_name"], user["family_name"]) == (
        "alice",
        "alice@example.com",
        "Alice",
        "Example",
    )
    assert user["iss"] == standard_op.issuer  # the ID token's own claims stay
    assert user["aud"] == app.options["client_id"]

    # A refresh of the default token asks userinfo again; the resource's token comes from
    # the refresh token, and asks nothing of userinfo.
    app.clock_offset = ACCESS_TOKEN_TTL + 60
    await app.with_store("get_access_token")
    assert standard_op.hits("/me") == calls + 2
    assert (await app.user())["email"] == "alice@example.com"
    assert audiences(await app.with_store("get_access_token", audience=RESOURCE)) == [RESOURCE]
    assert standard_op.hits("/me") == calls + 2


async def test_userinfo_with_a_dpop_bound_token(app: OPApp, standard_op: OpenIDProvider) -> None:
    """The userinfo request carries the bound token as ``Authorization: DPoP`` with a proof
    (``ath``): the OP refuses a bound token presented as a bearer token."""
    app.use(dpop=True, fetch_userinfo="login")
    calls = standard_op.hits("/me")
    await app.login()
    assert standard_op.hits("/me") == calls + 1
    (token_set,) = (await app.session())["token_sets"]
    assert token_set["token_type"] == "DPoP"
    assert (await app.user())["email"] == "alice@example.com"


async def test_logout_at_the_end_session_endpoint_with_id_token_hint_and_state(
    app: OPApp, standard_op: OpenIDProvider
) -> None:
    await app.login()
    id_token = (await app.session())["id_token"]
    url = await app.with_store("logout", {"return_to": LOGOUT_RETURN, "state": "bye-123"})
    assert url.startswith(standard_op.discovery()["end_session_endpoint"] + "?")
    sent = query(url)
    assert sent == {
        "client_id": [app.options["client_id"]],
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": [LOGOUT_RETURN],
        "state": ["bye-123"],
    }
    assert await app.user() is None
    back = app.op_browser.logout(url)
    assert back.split("?")[0] == LOGOUT_RETURN
    assert query(back)["state"] == ["bye-123"]  # the OP hands the state back


async def test_offline_access_without_consent_is_a_clear_error_at_login(
    app: OPApp, standard_op: OpenIDProvider
) -> None:
    calls = standard_op.hits("/auth")
    with pytest.raises(ConfigurationError) as info:
        await app.start_login(
            {"authorization_params": {"redirect_uri": CALLBACK, "prompt": "login"}}
        )
    assert "prompt=consent" in str(info.value)
    assert standard_op.hits("/auth") == calls
    # What it prevents: without consent the OP drops offline_access and issues no refresh
    # token (OIDC Core §11); the Auth0 dialect does not check, so it shows the outcome.
    auth0 = app.make_client(dialect="auth0", authorization_params={"redirect_uri": CALLBACK})
    await app.login(client=auth0)
    session = await app.with_store("get_session", client=auth0)
    assert session["refresh_token"] is None
    assert "offline_access" not in session["token_sets"][0]["scope"].split()
