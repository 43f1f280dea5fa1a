"""``client_secret_jwt`` (OIDC Core §9): an HMAC client assertion keyed by the client secret,
verified here by an independent JOSE implementation (joserfc); the refusals raised when the
client is built, none of which quote the secret."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import OctKey

from auth0_core import Env, FixedClock
from auth0_core._client_auth import ASSERTION_TYPE, authenticate
from auth0_core._config import make_config
from auth0_core.errors import ConfigurationError

ISSUER = "https://op.example/"
NOW = 1_800_000_000
SECRETS = {"HS256": "k" * 32, "HS384": "k" * 48, "HS512": "ü" * 32}  # 64 bytes in UTF-8


def config(**options: Any) -> Any:
    values: dict[str, Any] = {
        "domain": "https://op.example",
        "client_id": "cid",
        "client_secret": SECRETS["HS256"],
        "client_auth_method": "client_secret_jwt",
        "dialect": "standard",
        "secret": "s" * 32,
        "env": Env(clock=FixedClock(NOW)),
    }
    values.update(options)
    return make_config(**values)


def header(token: str) -> dict[str, Any]:
    part = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


@pytest.mark.parametrize("alg", sorted(SECRETS))
def test_each_algorithm_signs_an_assertion_the_secret_verifies(alg: str) -> None:
    secret = SECRETS[alg]
    cfg = config(client_secret=secret, client_assertion_signing_alg=alg)
    fields, headers = authenticate(
        cfg, {"grant_type": "client_credentials", "client_secret": "smuggled"}, ISSUER
    )
    assert headers == ()  # no Basic header: the assertion is the credential
    assert "client_secret" not in fields
    assert fields["client_id"] == "cid"
    assert fields["client_assertion_type"] == ASSERTION_TYPE
    assertion = str(fields["client_assertion"])
    assert header(assertion) == {"alg": alg, "typ": "JWT"}
    claims = jwt.decode(assertion, OctKey.import_key(secret.encode()), algorithms=[alg]).claims
    assert claims["iss"] == claims["sub"] == "cid"
    assert claims["aud"] == ISSUER
    assert (claims["iat"], claims["nbf"], claims["exp"]) == (NOW, NOW, NOW + 60)
    assert claims["jti"]
    with pytest.raises(BadSignatureError):  # another secret does not verify it
        jwt.decode(assertion, OctKey.import_key(b"x" * 64), algorithms=[alg])


def test_hs256_is_the_default_and_each_assertion_is_fresh() -> None:
    cfg = config()
    assert cfg.client_assertion_signing_alg == "HS256"
    first, _ = authenticate(cfg, {}, ISSUER)
    second, _ = authenticate(cfg, {}, ISSUER)
    assert first["client_assertion"] != second["client_assertion"]  # a new jti each time


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"dialect": "auth0"}, "Auth0 has no client_secret_jwt"),
        ({"client_secret": "k" * 31}, "at least 32 bytes"),
        ({"client_secret": "k" * 47, "client_assertion_signing_alg": "HS384"}, "at least 48"),
        ({"client_secret": "k" * 63, "client_assertion_signing_alg": "HS512"}, "at least 64"),
        ({"client_secret": None}, "at least 32 bytes"),
        ({"client_assertion_signing_alg": "RS256"}, "HS256, HS384, HS512"),
        ({"client_assertion_signing_key": "-----BEGIN"}, "leave 'client_assertion_signing_key'"),
    ],
)
def test_refused_when_the_client_is_built(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        config(**options)
    secret = options.get("client_secret") or SECRETS["HS256"]
    assert secret not in str(caught.value)


def test_other_methods_still_refuse_an_hmac_algorithm() -> None:
    with pytest.raises(ConfigurationError, match="client_assertion_signing_alg"):
        config(client_auth_method="client_secret_post", client_assertion_signing_alg="HS256")
