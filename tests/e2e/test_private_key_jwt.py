"""``private_key_jwt`` with every supported algorithm, end to end through both facades (sync,
asyncio, trio) against the emulated tenant, in process and (two algorithms) over loopback HTTP:
login code exchange, refresh and client credentials each authenticate with a fresh assertion
whose ``alg`` and ``kid`` the tenant checked against the client's registered keys; and what the
tenant refuses (docs/private-key-jwt.md)."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from auth0_core import Env, FixedClock
from auth0_core.errors import OAuthError
from auth0_core.tenant import AcceptedAssertion, AssertionCredential, Tenant, TenantConfig
from auth0_tenant_server._server import ServerThread

from .conftest import INPROCESS_BASE, START, App

pytestmark = pytest.mark.anyio

API = "https://api.example.com"
DAY = 86_400

# One key per type, made once: RSA generation is slow and the tests need no fresh keys.
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEYS = {
    "ES256": ec.generate_private_key(ec.SECP256R1()),
    "ES384": ec.generate_private_key(ec.SECP384R1()),
    "ES512": ec.generate_private_key(ec.SECP521R1()),
}
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


@pytest.fixture(params=["sync-inprocess", "asyncio-inprocess", "trio-inprocess"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def key_for(alg: str) -> Any:
    return EC_KEYS.get(alg, RSA_KEY)


def private_pem(key: Any) -> str:
    return str(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    )


def public_pem(key: Any) -> str:
    return str(
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def app_with_credentials(
    mode: str, credentials: tuple[AssertionCredential, ...], **client_options: Any
) -> App:
    """An app on a tenant where demo-client authenticates with ``credentials`` only."""
    config = TenantConfig.default()
    client = attrs.evolve(
        config.clients[0],
        token_endpoint_auth_method="private_key_jwt",
        client_secret=None,
        client_assertion_public_key=None,
        client_assertion_credentials=credentials,
    )
    clock = FixedClock(START)
    tenant = Tenant(
        attrs.evolve(config, clients=(client,)), base_url=INPROCESS_BASE, env=Env(clock=clock)
    )
    return App(mode, tenant, INPROCESS_BASE, clock, client_secret=None, **client_options)


def accepted(app: App) -> list[AcceptedAssertion]:
    return list(app.tenant.state.accepted_assertions)


async def stored_token(app: App, **kwargs: Any) -> str:
    store = app.browser.store_options()
    result = await app.call("get_access_token", store_options=store, **kwargs)
    app.browser.absorb(store)
    return str(result)


@pytest.mark.parametrize("alg", ALGORITHMS)
async def test_every_grant_authenticates_with_the_algorithm_and_a_kid(mode: str, alg: str) -> None:
    key = key_for(alg)
    # Registered as Auth0 does: one credential with its algorithm and the kid Auth0 gave it.
    credential = AssertionCredential(public_key=public_pem(key), kid="cred-kid-1", alg=alg)
    other = AssertionCredential(public_key=public_pem(OTHER_RSA_KEY), kid="cred-kid-0")
    app = app_with_credentials(
        mode,
        (other, credential),
        client_assertion_signing_key=private_pem(key),
        client_assertion_signing_alg=alg,
        client_assertion_kid="cred-kid-1",
    )

    await app.login()  # authorization code exchange
    assert (await app.user())["sub"] == "auth0|alice"
    app.clock.advance(DAY - 59)
    await stored_token(app)  # refresh
    assert await app.call("get_client_credentials_token", API)  # client credentials

    grants = [
        entry.grant_type
        for entry in app.tenant.log
        if entry.path == "/oauth/token" and entry.status == 200
    ]
    assert grants == ["authorization_code", "refresh_token", "client_credentials"]
    expected = AcceptedAssertion(
        client_id="demo-client", alg=alg, kid="cred-kid-1", key_kid="cred-kid-1"
    )
    assert accepted(app) == [expected] * 3


@pytest.mark.parametrize("alg", ["PS256", "ES384"])
async def test_without_a_given_kid_none_is_sent_to_auth0(mode: str, alg: str) -> None:
    # Auth0 names a credential by a kid it generated, which only the user can give; without
    # one the assertion has no kid and the tenant tries the client's credentials (the
    # standard dialect sends the thumbprint: tests/unit/test_assertion_key.py).
    key = key_for(alg)
    app = app_with_credentials(
        mode,
        (AssertionCredential(public_key=public_pem(key)),),
        client_assertion_signing_key=key,  # a cryptography key object
        client_assertion_signing_alg=alg,
    )
    await app.login()
    assert await app.call("get_client_credentials_token", API)
    assert app.client.config.client_assertion_key.kid is None
    assert [(seen.alg, seen.kid) for seen in accepted(app)] == [(alg, None)] * 2


async def test_a_private_jwk_brings_its_kid(mode: str) -> None:
    from joserfc.jwk import ECKey

    jwk = ECKey.import_key(private_pem(EC_KEYS["ES256"])).as_dict(private=True)
    jwk.update({"kid": "jwk-kid", "alg": "ES256"})
    public = {k: v for k, v in jwk.items() if k != "d"}
    app = app_with_credentials(
        mode,
        (AssertionCredential(public_key=json.dumps(public)),),
        client_assertion_signing_key=jwk,
        client_assertion_signing_alg="ES256",
    )
    await app.login()
    assert [(seen.alg, seen.kid, seen.key_kid) for seen in accepted(app)] == [
        ("ES256", "jwk-kid", "jwk-kid")
    ]


async def expect_invalid_client(app: App) -> str:
    with pytest.raises(OAuthError) as info:
        await app.call("get_client_credentials_token", API)
    assert info.value.error == "invalid_client"
    assert info.value.status == 401
    assert accepted(app) == []
    return str(info.value)


async def test_the_tenant_refuses_a_kid_it_does_not_know(mode: str) -> None:
    app = app_with_credentials(
        mode,
        (AssertionCredential(public_key=public_pem(RSA_KEY), kid="registered"),),
        client_assertion_signing_key=private_pem(RSA_KEY),
        client_assertion_kid="not-registered",
    )
    assert "kid" in await expect_invalid_client(app)


async def test_the_tenant_refuses_another_alg_than_the_credentials(mode: str) -> None:
    # Same key, but the credential was registered for RS256 and the client signs PS256.
    app = app_with_credentials(
        mode,
        (AssertionCredential(public_key=public_pem(RSA_KEY), kid="k", alg="RS256"),),
        client_assertion_signing_key=private_pem(RSA_KEY),
        client_assertion_signing_alg="PS256",
        client_assertion_kid="k",
    )
    assert "PS256" in await expect_invalid_client(app)


async def test_the_tenant_refuses_an_alg_that_does_not_fit_the_key_type(mode: str) -> None:
    # The kid names an RSA credential; the assertion is ES256 (signed by an EC key).
    app = app_with_credentials(
        mode,
        (AssertionCredential(public_key=public_pem(RSA_KEY), kid="k"),),
        client_assertion_signing_key=EC_KEYS["ES256"],
        client_assertion_signing_alg="ES256",
        client_assertion_kid="k",
    )
    assert "ES256" in await expect_invalid_client(app)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
async def test_the_tenant_refuses_a_signature_by_another_key_under_the_right_kid(
    mode: str, alg: str
) -> None:
    registered = key_for(alg)
    impostor = OTHER_RSA_KEY if alg == "RS256" else ec.generate_private_key(ec.SECP256R1())
    app = app_with_credentials(
        mode,
        (AssertionCredential(public_key=public_pem(registered), kid="k", alg=alg),),
        client_assertion_signing_key=impostor,
        client_assertion_signing_alg=alg,
        client_assertion_kid="k",
    )
    assert "signature" in await expect_invalid_client(app)


async def test_key_rotation_both_registered_keys_work(mode: str) -> None:
    # Two credentials (an RSA key being replaced by an EC key): each client picks its own.
    credentials = (
        AssertionCredential(public_key=public_pem(RSA_KEY), kid="old", alg="RS256"),
        AssertionCredential(public_key=public_pem(EC_KEYS["ES256"]), kid="new", alg="ES256"),
    )
    app = app_with_credentials(
        mode, credentials, client_assertion_signing_key=RSA_KEY, client_assertion_kid="old"
    )
    assert await app.call("get_client_credentials_token", API)
    rotated = app.make_client(
        client_assertion_signing_key=EC_KEYS["ES256"],
        client_assertion_signing_alg="ES256",
        client_assertion_kid="new",
    )
    assert await app.call("get_client_credentials_token", API, client=rotated)
    assert [(seen.alg, seen.key_kid) for seen in accepted(app)] == [
        ("RS256", "old"),
        ("ES256", "new"),
    ]


@pytest.mark.parametrize("alg", ["PS256", "ES256"])
async def test_over_real_http(mode: str, alg: str) -> None:
    # The same exchange with the tenant served on loopback: the assertion crosses a socket.
    key = key_for(alg)
    config = TenantConfig.default()
    client = attrs.evolve(
        config.clients[0],
        token_endpoint_auth_method="private_key_jwt",
        client_secret=None,
        client_assertion_credentials=(
            AssertionCredential(public_key=public_pem(key), kid="k", alg=alg),
        ),
    )
    clock = FixedClock(START)
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenant = Tenant(
            attrs.evolve(config, clients=(client,)), base_url=base_url, env=Env(clock=clock)
        )
        tenants.append(tenant)
        return tenant.handle

    with ServerThread(make_handler=make_handler) as server:
        app = App(
            mode.replace("inprocess", "loopback"),
            tenants[0],
            server.base_url,
            clock,
            client_secret=None,
            client_assertion_signing_key=private_pem(key),
            client_assertion_signing_alg=alg,
            client_assertion_kid="k",
        )
        await app.login()
        assert await app.call("get_client_credentials_token", API)
    assert [(seen.alg, seen.kid) for seen in accepted(app)] == [(alg, "k")] * 2
