"""DPoP (RFC 9449) against a certified OP, through every facade: with ``dpop=True`` the SDK
proves possession of its key at the token endpoint and the OP binds the tokens to it."""

from __future__ import annotations

from typing import Any

import pytest

from ..oidc_provider.harness import ACCESS_TOKEN_TTL, CALLBACK, RESOURCE, OpenIDProvider
from .conftest import OPApp

pytestmark = pytest.mark.anyio

CONSENT: dict[str, Any] = {"redirect_uri": CALLBACK, "prompt": "consent"}


async def test_login_and_refresh_tokens_are_bound_to_the_key(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    client = op_app.use(dpop=True, authorization_params=CONSENT)
    thumbprint = client.config.dpop.thumbprint
    await op_app.login("alice")
    token_set = (await op_app.session())["token_sets"][0]
    assert token_set["token_type"] == "DPoP"
    assert token_set["dpop_jkt"] == thumbprint
    seen = oidc_op.introspect(token_set["access_token"])
    assert seen["active"] is True
    assert seen["token_type"] == "DPoP"
    assert seen["cnf"] == {"jkt": thumbprint}  # RFC 9449 §6.2

    # The OP refuses the bound token presented as a bearer token (RFC 9449 §7.1).
    answer = oidc_op.http.get(
        "/me", headers={"authorization": f"Bearer {token_set['access_token']}"}
    )
    assert answer.status_code in (400, 401)

    # A refresh proves possession again; the new token is bound to the same key. (The
    # client's clock runs ahead so that the token looks expired, but by less than the OP's
    # window for a proof's iat, 300 s.)
    op_app.clock_offset = ACCESS_TOKEN_TTL - 30
    requests_before = oidc_op.hits("/token", "POST")
    access = await op_app.with_store("get_access_token")
    assert oidc_op.hits("/token", "POST") == requests_before + 1
    assert access != token_set["access_token"]
    assert oidc_op.introspect(access)["cnf"] == {"jkt": thumbprint}


async def test_a_client_clock_far_ahead_is_given_a_dpop_nonce(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    """A proof whose iat is off by more than the OP's window (300 s) is answered with
    ``use_dpop_nonce`` and a ``DPoP-Nonce`` (RFC 9449 §8): the SDK retries once with the
    nonce, and keeps the nonces the OP sends for its next proofs."""
    client = op_app.use(dpop=True, authorization_params=CONSENT)
    op_app.clock_offset = 600
    requests_before = oidc_op.hits("/token", "POST")
    token = await op_app.call("get_client_credentials_token", RESOURCE)
    assert oidc_op.hits("/token", "POST") == requests_before + 2
    assert oidc_op.introspect(token)["cnf"] == {"jkt": client.config.dpop.thumbprint}

    await op_app.login("alice")
    assert oidc_op.hits("/token", "POST") == requests_before + 3
    first = (await op_app.session())["token_sets"][0]["access_token"]
    op_app.clock_offset = 600 + ACCESS_TOKEN_TTL
    access = await op_app.with_store("get_access_token")
    assert oidc_op.hits("/token", "POST") == requests_before + 4
    assert access != first
    assert oidc_op.introspect(access)["cnf"] == {"jkt": client.config.dpop.thumbprint}


async def test_client_credentials_token_is_bound(op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    client = op_app.use(dpop=True)
    token = await op_app.call("get_client_credentials_token", RESOURCE)
    seen = oidc_op.introspect(token)
    assert seen["token_type"] == "DPoP"
    assert seen["cnf"] == {"jkt": client.config.dpop.thumbprint}


async def test_dpop_with_pushed_authorization_requests(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    client = op_app.use(dpop=True, pushed_authorization_requests=True)
    await op_app.login("alice")
    token_set = (await op_app.session())["token_sets"][0]
    assert token_set["token_type"] == "DPoP"
    seen = oidc_op.introspect(token_set["access_token"])
    assert seen["cnf"] == {"jkt": client.config.dpop.thumbprint}
