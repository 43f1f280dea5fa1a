"""Minting test tokens by hand, so a test can produce any header, payload or signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

from joserfc import jws
from joserfc.jwk import ECKey, RSAKey

from auth0_core._id_token import IdTokenChecks
from auth0_core._jwks import JsonWebKeys

NOW = 1_700_000_000
ISSUER = "https://tenant.eu.auth0.com/"
CLIENT_ID = "client-abc"
NONCE = "n-0S6_WzA2Mj"
CLIENT_SECRET = "a-client-secret-of-reasonable-length"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: object) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def base_claims(**changes: object) -> dict[str, object]:
    """Valid claims for the default checks; a value of ``...`` removes that claim."""
    claims: dict[str, object] = {
        "iss": ISSUER,
        "sub": "auth0|user-1",
        "aud": CLIENT_ID,
        "iat": NOW - 10,
        "exp": NOW + 3600,
        "nonce": NONCE,
        "auth_time": NOW - 20,
        "sid": "session-1",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not ...}


def checks(**changes: object) -> IdTokenChecks:
    values: dict[str, object] = {"issuer": ISSUER, "client_id": CLIENT_ID, "nonce": NONCE}
    values.update(changes)
    return IdTokenChecks(**values)  # type: ignore[arg-type]


def sign_raw(header_segment: str, payload_segment: str, key: RSAKey | ECKey, alg: str) -> str:
    """Sign ``header.payload`` with ``alg`` and return the whole compact token."""
    signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
    signature = jws.JWSRegistry.algorithms[alg].sign(signing_input, key)
    return f"{header_segment}.{payload_segment}.{b64(signature)}"


def mint(
    key: RSAKey | ECKey,
    claims: Mapping[str, object] | None = None,
    *,
    alg: str = "RS256",
    header: Mapping[str, object] | None = None,
    payload: bytes | None = None,
) -> str:
    """A token signed with ``key``; ``header`` defaults to ``{"alg", "typ", "kid"}``."""
    if header is None:
        header = {"alg": alg, "typ": "JWT", "kid": key.kid}
    body = (
        payload
        if payload is not None
        else json.dumps(base_claims() if claims is None else claims).encode()
    )
    return sign_raw(b64json(dict(header)), b64(body), key, alg)


def mint_hmac(secret: bytes, claims: Mapping[str, object], *, kid: str | None = None) -> str:
    header: dict[str, object] = {"alg": "HS256", "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    signing_input = f"{b64json(header)}.{b64json(dict(claims))}"
    signature = hmac.new(secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


class Keys:
    """The keys of one test session: generated once, RSA generation being slow."""

    def __init__(self) -> None:
        self.rsa = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.rsa2 = RSAKey.generate_key(2048, parameters={"kid": "k2"})
        self.impostor = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.ec = ECKey.generate_key("P-256", parameters={"kid": "e1"})
        self.jwks_document = {
            "keys": [
                self.rsa.as_dict(private=False, alg="RS256"),
                self.rsa2.as_dict(private=False),
                self.ec.as_dict(private=False),
            ]
        }
        self.jwks = JsonWebKeys.from_document(self.jwks_document)
        self.rsa_public_pem = self.rsa.as_pem(private=False)
