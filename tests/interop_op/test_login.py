"""Login against a certified OP (oidc-provider) through every facade (see conftest)."""

from __future__ import annotations

import pytest

from ..oidc_provider.harness import CALLBACK, OpenIDProvider
from .conftest import OPApp, jwt_claims, query

pytestmark = pytest.mark.anyio


async def test_login_with_pkce_state_and_nonce(op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    url = await op_app.start_login()
    assert url.startswith(oidc_op.discovery()["authorization_endpoint"] + "?")
    sent = query(url)
    assert sent["response_type"] == ["code"]
    assert sent["code_challenge_method"] == ["S256"]
    assert sent["redirect_uri"] == [CALLBACK]
    assert len(sent["state"][0]) >= 43
    assert len(sent["nonce"][0]) >= 43

    callback = op_app.op_browser.authorize(url, user="alice")
    returned = query(callback)
    assert returned["state"] == sent["state"]
    assert returned["iss"] == [oidc_op.issuer]  # RFC 9207
    await op_app.with_store("complete_interactive_login", callback)

    user = await op_app.user()
    assert user["sub"] == "alice"
    assert user["iss"] == oidc_op.issuer
    session = await op_app.session()
    claims = jwt_claims(session["id_token"])
    assert claims["nonce"] == sent["nonce"][0]
    assert claims["aud"] == op_app.options["client_id"]
    assert session["token_sets"][0]["access_token"]
