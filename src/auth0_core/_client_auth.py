"""Client authentication at the token endpoint: secret (basic or post), a client assertion
(``private_key_jwt``, or ``client_secret_jwt`` in the standard dialect), or RFC 8705
``tls_client_auth`` (the transport presents the certificate; docs/mtls.md)."""

from __future__ import annotations

import base64
from urllib.parse import quote

from ._config import ClientConfig
from ._secret_jwt import sign_secret_jwt
from .errors import ConfigurationError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 60

Fields = dict[str, str | None]
Headers = tuple[tuple[str, str], ...]


def _basic_credentials(client_id: str, client_secret: str) -> str:
    # RFC 6749 §2.3.1: form-urlencode both parts before base64. For secrets made of
    # unreserved characters (Auth0's are) this is the same as the raw value.
    raw = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(raw.encode("utf-8")).decode("ascii")


def client_assertion(config: ClientConfig, audience: str) -> str:
    """A fresh, single-use client assertion (protocol doc §8.6) for ``audience`` (the
    issuer): signed with the ``private_key_jwt`` key loaded and checked when the client was
    built, or for ``client_secret_jwt`` with the client secret.

    Raises:
        ConfigurationError: the client has no assertion signing key.
    """
    env = config.env
    now = env.now()
    claims = {
        "iss": config.client_id,
        "sub": config.client_id,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + ASSERTION_LIFETIME,
        "jti": env.random_urlsafe(24),
    }
    if config.client_auth_method == "client_secret_jwt" and config.client_secret:
        return sign_secret_jwt(config.client_secret, config.client_assertion_signing_alg, claims)
    key = config.client_assertion_key
    if key is None:
        raise ConfigurationError("private_key_jwt needs 'client_assertion_signing_key'.")
    return key.sign(claims)


def authenticate(config: ClientConfig, fields: Fields, issuer: str) -> tuple[Fields, Headers]:
    """Add client authentication to token-endpoint ``fields``; return (fields, extra headers).

    The assertion wins over the secret; caller-supplied credential fields are dropped so a
    caller can never smuggle in its own (protocol doc §0.2).
    """
    body = {
        k: v
        for k, v in fields.items()
        if k not in ("client_secret", "client_assertion", "client_assertion_type")
    }
    body["client_id"] = config.client_id
    if config.client_auth_method == "tls_client_auth":
        # RFC 8705 §2: client_id in the body; the client certificate the transport presents
        # from ssl_context is the credential. Nothing secret is sent.
        return body, ()
    if config.client_auth_method in ("private_key_jwt", "client_secret_jwt"):
        body["client_assertion_type"] = ASSERTION_TYPE
        body["client_assertion"] = client_assertion(config, issuer)
        return body, ()
    secret = config.client_secret or ""
    if config.client_auth_method == "client_secret_post":
        body["client_secret"] = secret
        return body, ()
    return body, (("Authorization", _basic_credentials(config.client_id, secret)),)
