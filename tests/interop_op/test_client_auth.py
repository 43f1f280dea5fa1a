"""Client authentication with ``private_key_jwt`` (RFC 7523 §2.2, OIDC Core §9) at a certified
OP, through every facade: the client registers only its public key (``jwks``) and signs a
client assertion with RS256, RS384, PS256 or ES256 at the token and PAR endpoints;
``client_secret_jwt`` (HS256, HS384, HS512 with the client secret, the standard dialect) at the
token, PAR and CIBA endpoints; and ``client_secret_post``. (``client_secret_basic`` is what
every other interop test uses.)"""

from __future__ import annotations

import base64
import json

import pytest
from joserfc.jwk import ECKey, RSAKey

from auth0_core.errors import OAuthError

from ..oidc_provider.harness import (
    CALLBACK,
    RESOURCE,
    OpenIDProvider,
    client_metadata,
    private_key_jwt_client,
)
from .conftest import OPApp, jwt_claims

pytestmark = pytest.mark.anyio

ALGS = ("RS256", "RS384", "PS256", "ES256")


@pytest.fixture(scope="module")
def keys(oidc_op: OpenIDProvider) -> dict[str, tuple[str, str]]:
    """alg -> (client_id, private key PEM) of a private_key_jwt client registered at the OP."""
    clients = {alg: private_key_jwt_client(f"rp-pkjwt-{alg.lower()}", alg) for alg in ALGS}
    oidc_op.register([meta for meta, _ in clients.values()])
    return {alg: (meta["client_id"], pem) for alg, (meta, pem) in clients.items()}


@pytest.mark.parametrize("alg", ALGS)
async def test_login_and_client_credentials_with_a_client_assertion(
    alg: str, op_app: OPApp, oidc_op: OpenIDProvider, keys: dict[str, tuple[str, str]]
) -> None:
    client_id, pem = keys[alg]
    op_app.use(
        client_id=client_id,
        client_secret=None,
        client_assertion_signing_key=pem,
        client_assertion_signing_alg=alg,
        pushed_authorization_requests=True,
        dialect="standard",  # which sends the key's RFC 7638 thumbprint as its kid
        authorization_params={"redirect_uri": CALLBACK, "prompt": "consent"},  # offline_access
    )
    await op_app.login("alice")
    assert (await op_app.user())["sub"] == "alice"
    seen = oidc_op.last_assertion(client_id)
    assert seen is not None
    assert seen["alg"] == alg
    key = ECKey.import_key(pem) if alg.startswith("ES") else RSAKey.import_key(pem)
    assert seen["kid"] == key.thumbprint()  # the registered key's kid (RFC 7638)

    token = await op_app.call("get_client_credentials_token", RESOURCE)
    # The standard dialect asks with `resource` (RFC 8707): a JWT for that API, this client's.
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["aud"] == RESOURCE
    assert claims["client_id"] == client_id


async def test_client_secret_post(op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    """The secret in the body (RFC 6749 §2.3.1) for a client registered for it."""
    oidc_op.register(
        [client_metadata("rp-secret-post", token_endpoint_auth_method="client_secret_post")]
    )
    op_app.use(client_id="rp-secret-post", client_auth_method="client_secret_post")
    await op_app.login("alice")
    token = await op_app.call("get_client_credentials_token", RESOURCE)
    assert oidc_op.introspect(token)["client_id"] == "rp-secret-post"


async def test_an_assertion_signed_with_another_key_is_refused(
    op_app: OPApp, keys: dict[str, tuple[str, str]]
) -> None:
    client_id, _ = keys["RS256"]
    _, stranger = private_key_jwt_client("unregistered", "RS256")
    op_app.use(
        client_id=client_id,
        client_secret=None,
        client_assertion_signing_key=stranger,
        client_assertion_signing_alg="RS256",
    )
    with pytest.raises(OAuthError) as caught:
        await op_app.call("get_client_credentials_token", RESOURCE)
    assert caught.value.error == "invalid_client"


# RFC 7518 §3.2: an HMAC key as long as the hash at least (64 bytes for HS512).
LONG_SECRET = "interop-hmac-secret-" + "0123456789abcdef" * 4


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
async def test_client_secret_jwt(alg: str, op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    """The assertion signed with the secret: a login with PAR, a refresh, client credentials
    and a CIBA request, each authenticated by it; the OP saw the algorithm."""
    client_id = f"rp-secret-jwt-{alg.lower()}"
    oidc_op.register(
        [
            client_metadata(
                client_id,
                client_secret=LONG_SECRET,
                token_endpoint_auth_method="client_secret_jwt",
                token_endpoint_auth_signing_alg=alg,
            )
        ]
    )
    op_app.use(
        client_id=client_id,
        client_secret=LONG_SECRET,
        client_auth_method="client_secret_jwt",
        client_assertion_signing_alg=alg,
        pushed_authorization_requests=True,
        dialect="standard",
        authorization_params={"redirect_uri": CALLBACK, "prompt": "consent"},
    )
    await op_app.login("alice")
    seen = oidc_op.last_assertion(client_id)
    assert seen is not None
    assert (seen["alg"], seen["kid"], seen["typ"]) == (alg, None, "JWT")
    assert seen["aud"] == oidc_op.issuer
    # A refresh (the stateless call: a client clock set ahead to expire the session's token
    # would date the assertion in the OP's future).
    session = await op_app.session()
    refreshed = await op_app.call(
        "get_token_by_refresh_token", {"refresh_token": session["refresh_token"]}
    )
    assert refreshed["access_token"]
    assert refreshed["refresh_token"] != session["refresh_token"]  # rotated
    token = await op_app.call("get_client_credentials_token", RESOURCE)
    assert jwt_claims(token)["client_id"] == client_id  # a JWT for the resource
    started = await op_app.call(
        "initiate_backchannel_authentication", {"login_hint": {"sub": "bob"}}
    )
    oidc_op.answer_ciba(started["auth_req_id"], "deny")


async def test_client_secret_jwt_with_a_wrong_secret_is_refused(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    oidc_op.register(
        [
            client_metadata(
                "rp-secret-jwt-wrong",
                client_secret=LONG_SECRET,
                token_endpoint_auth_method="client_secret_jwt",
            )
        ]
    )
    wrong = LONG_SECRET[::-1]
    op_app.use(
        client_id="rp-secret-jwt-wrong",
        client_secret=wrong,
        client_auth_method="client_secret_jwt",
        dialect="standard",
    )
    with pytest.raises(OAuthError) as caught:
        await op_app.call("get_client_credentials_token", RESOURCE)
    assert caught.value.error == "invalid_client"
    assert wrong not in f"{caught.value!s}{caught.value!r}"
