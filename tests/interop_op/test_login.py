"""Discovery and login against a certified OP (oidc-provider), through every facade."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from auth0_core.errors import IssuerValidationError

from ..oidc_provider.harness import CALLBACK, OpenIDProvider
from .conftest import OPApp, jwt_claims, query

pytestmark = pytest.mark.anyio


async def test_login_with_pkce_state_and_nonce(op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    url = await op_app.start_login()
    assert url.startswith(oidc_op.discovery()["authorization_endpoint"] + "?")
    sent = query(url)
    assert sent["client_id"] == [op_app.options["client_id"]]
    assert sent["response_type"] == ["code"]
    assert sent["code_challenge_method"] == ["S256"]
    assert sent["redirect_uri"] == [CALLBACK]
    assert len(sent["state"][0]) >= 43
    assert len(sent["nonce"][0]) >= 43

    callback = op_app.op_browser.authorize(url, user="alice")
    returned = query(callback)
    assert returned["state"] == sent["state"]
    assert returned["iss"] == [oidc_op.issuer]  # RFC 9207, which the OP advertises
    await op_app.with_store("complete_interactive_login", callback)

    user = await op_app.user()
    assert user["sub"] == "alice"
    assert user["iss"] == oidc_op.issuer
    session = await op_app.session()
    claims = jwt_claims(session["id_token"])
    assert claims["nonce"] == sent["nonce"][0]
    assert claims["aud"] == op_app.options["client_id"]
    assert session["token_sets"][0]["access_token"]


async def test_a_callback_from_another_issuer_is_refused(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    """RFC 9207 §2.4: the OP names itself in the callback (``iss``); a callback naming another
    issuer (a mix-up attack) is refused before its code is redeemed."""
    url = await op_app.start_login()
    callback = op_app.op_browser.authorize(url)
    parts = urlsplit(callback)
    params = {key: values[0] for key, values in parse_qs(parts.query).items()}
    params["iss"] = "https://attacker.example"
    forged = urlunsplit(parts._replace(query=urlencode(params)))
    tokens = oidc_op.hits("/token", "POST")
    with pytest.raises(IssuerValidationError):
        await op_app.with_store("complete_interactive_login", forged)
    assert oidc_op.hits("/token", "POST") == tokens
    assert await op_app.user() is None


async def test_the_op_requires_the_pkce_the_sdk_sends(op_app: OPApp) -> None:
    """The OP is configured to require PKCE (RFC 7636) of every client: the SDK's own
    request passes (above), the same request without its code challenge is refused."""
    url = await op_app.start_login()
    params = {key: values[0] for key, values in query(url).items()}
    del params["code_challenge"], params["code_challenge_method"]
    bare = op_app.op_browser.authorize(url.split("?", 1)[0] + "?" + urlencode(params))
    assert query(bare)["error"] == ["invalid_request"]


async def test_discovery_and_jwks_are_fetched_once_per_client(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    """The client finds every endpoint in the OP's discovery document (OIDC Discovery §4)
    and keeps it and the JWKS: a second login by the same client fetches neither again."""
    discovery = oidc_op.hits("/.well-known/openid-configuration")
    jwks = oidc_op.hits("/jwks")
    tokens = oidc_op.hits("/token", "POST")
    await op_app.login("alice")
    assert oidc_op.hits("/.well-known/openid-configuration") == discovery + 1
    assert oidc_op.hits("/jwks") == jwks + 1
    assert oidc_op.hits("/token", "POST") == tokens + 1

    op_app.browser.cookies.clear()
    await op_app.login("bob")  # the same OP session at the OP: no login page, bob is ignored
    assert oidc_op.hits("/.well-known/openid-configuration") == discovery + 1
    assert oidc_op.hits("/jwks") == jwks + 1
    assert oidc_op.hits("/token", "POST") == tokens + 2
    assert (await op_app.user())["sub"] == "alice"


async def test_a_second_user_logs_in_with_another_browser(op_app: OPApp) -> None:
    await op_app.login("alice")
    op_app.browser.cookies.clear()
    op_app.op_browser = op_app.op.browser()
    await op_app.login("bob")
    assert (await op_app.user())["sub"] == "bob"


async def test_max_age_is_checked_against_the_ops_auth_time(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    """With ``max_age`` the OP puts ``auth_time`` in the ID token (OIDC Core §2), which the
    SDK requires and checks (§3.1.3.7, 13)."""
    op_app.use(authorization_params={"redirect_uri": CALLBACK, "max_age": 300})
    url = await op_app.start_login()
    assert query(url)["max_age"] == ["300"]
    await op_app.with_store("complete_interactive_login", op_app.op_browser.authorize(url))
    claims = jwt_claims((await op_app.session())["id_token"])
    assert isinstance(claims["auth_time"], int)
    assert (await op_app.user())["sub"] == "alice"
