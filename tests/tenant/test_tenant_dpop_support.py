"""Helpers for the DPoP tests (no tests here): the tests are the DPoP client, so they build
their proofs here, by hand where a proof must be broken in ways no library would sign."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any

from joserfc import jws
from joserfc.jwk import ECKey, OKPKey, RSAKey
from joserfc.jws import JWSRegistry

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import form_request
from auth0_core.tenant import Tenant

from .tenant_helpers import BASE, NOW, basic

__test__ = False  # helpers only

TOKEN_URL = BASE + "/oauth/token"
# RFC 7638 §3.2: the members a thumbprint covers, per key type.
_THUMBPRINT_MEMBERS = {
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
    "OKP": ("crv", "kty", "x"),
}


class _Registry(JWSRegistry):
    max_header_length = 4096  # an RSA key in the header


_REGISTRY = _Registry(
    algorithms=["ES256", "RS256", "PS256", "Ed25519", "ES384"], strict_check_header=False
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ath(token: str) -> str:
    return b64(hashlib.sha256(token.encode()).digest())


class ProofKey:
    """A client's DPoP key and the proofs it signs."""

    def __init__(self, key: ECKey | RSAKey | OKPKey, alg: str) -> None:
        self.key = key
        self.alg = alg

    @classmethod
    def es256(cls) -> ProofKey:
        return cls(ECKey.generate_key("P-256"), "ES256")

    @property
    def jwk(self) -> dict[str, Any]:
        return dict(self.key.as_dict(private=False))

    @property
    def jkt(self) -> str:
        """RFC 7638 thumbprint, computed here from the definition (not by the library)."""
        jwk = self.jwk
        members = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[jwk["kty"]]}
        canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
        return b64(hashlib.sha256(canonical.encode()).digest())

    def proof(
        self,
        method: str,
        url: str,
        *,
        iat: int = NOW,
        access_token: str | None = None,
        nonce: str | None = None,
        header: Mapping[str, Any] | None = None,
        claims: Mapping[str, Any] | None = None,
        drop: tuple[str, ...] = (),
    ) -> str:
        """A proof for ``method url``; ``header``/``claims`` override members, ``drop`` removes
        claims. ``alg`` "none" or "HS256" in ``header`` is signed by hand."""
        full_header: dict[str, Any] = {"typ": "dpop+jwt", "alg": self.alg, "jwk": self.jwk}
        full_header.update(header or {})
        full_header = {name: value for name, value in full_header.items() if value is not None}
        payload: dict[str, Any] = {
            "jti": secrets.token_urlsafe(16),
            "htm": method,
            "htu": url,
            "iat": iat,
        }
        if access_token is not None:
            payload["ath"] = ath(access_token)
        if nonce is not None:
            payload["nonce"] = nonce
        payload.update(claims or {})
        for name in drop:
            payload.pop(name, None)
        body = json.dumps(payload).encode()
        alg = full_header["alg"]
        if alg in ("none", "HS256"):
            signing_input = f"{b64(json.dumps(full_header).encode())}.{b64(body)}"
            signature = b""
            if alg == "HS256":
                signature = hmac.new(b"k" * 32, signing_input.encode(), hashlib.sha256).digest()
            return f"{signing_input}.{b64(signature)}"
        return jws.serialize_compact(
            full_header, body, self.key, algorithms=[alg], registry=_REGISTRY
        )


def token_post(
    tenant: Tenant,
    fields: Mapping[str, str],
    proofs: tuple[str, ...] = (),
    headers: tuple[tuple[str, str], ...] | None = None,
    path: str = "/oauth/token",
) -> HttpResponse:
    """``POST {path}`` as the demo client (Basic), with ``DPoP`` headers."""
    sent = (*(basic() if headers is None else headers), *(("DPoP", p) for p in proofs))
    return tenant.handle(form_request(BASE + path, fields, sent))


def resource_get(
    tenant: Tenant,
    url: str,
    token: str,
    *,
    scheme: str = "DPoP",
    proofs: tuple[str, ...] = (),
) -> HttpResponse:
    headers = (("Authorization", f"{scheme} {token}"), *(("DPoP", p) for p in proofs))
    return tenant.handle(HttpRequest(method="GET", url=url, headers=headers))


def challenges(response: HttpResponse) -> list[str]:
    return response.header_values("www-authenticate")
