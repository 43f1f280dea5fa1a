"""ID tokens signed RS256, PS256 and ES256 by a certified OP, through every facade.

The OP has one key per algorithm (RSA for RS256, another RSA key for PS256, P-256 for ES256)
and signs each client's ID tokens with the client's ``id_token_signed_response_alg``
(OIDC Registration §2); the SDK is told which algorithm to expect (``algorithms``).
"""

from __future__ import annotations

import pytest

from auth0_core.errors import Auth0Error, IdTokenError

from ..oidc_provider.harness import ID_TOKEN_ALGS, OpenIDProvider, client_id_for
from .conftest import OPApp, jwt_header

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("alg", ID_TOKEN_ALGS)
async def test_id_token_signed_with(alg: str, op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    op_app.use(client_id=client_id_for(alg), algorithms=[alg])
    await op_app.login("alice")
    header = jwt_header((await op_app.session())["id_token"])
    assert header["alg"] == alg
    published = {key["kid"]: key for key in oidc_op.jwks()["keys"]}
    assert published[header["kid"]]["alg"] == alg
    assert header["kid"] in oidc_op.signing_kids()
    assert (await op_app.user())["sub"] == "alice"


async def test_an_id_token_of_an_algorithm_not_allowed_is_refused(op_app: OPApp) -> None:
    """A PS256 ID token for a client that allows only RS256 (the default) ends the login in
    an IdTokenError, and no session is written."""
    op_app.use(client_id=client_id_for("PS256"))
    url = await op_app.start_login()
    callback = op_app.op_browser.authorize(url)
    with pytest.raises(IdTokenError) as caught:
        await op_app.with_store("complete_interactive_login", callback)
    assert isinstance(caught.value, Auth0Error)
    assert await op_app.user() is None
