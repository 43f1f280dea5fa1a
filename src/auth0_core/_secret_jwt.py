"""``client_secret_jwt`` (OIDC Core §9, RFC 7523 §2.2): a client assertion signed with the
client secret by HMAC (HS256, HS384 or HS512).

RFC 7518 §3.2: an HMAC key must be at least as long as the hash output, so the secret's UTF-8
bytes must number at least 32, 48 or 64 (checked when the client is built). Standard library
only: no JOSE library is needed for one HMAC over two JSON parts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping

# Algorithm -> (hash, the secret's shortest length in bytes).
ALGORITHMS = {
    "HS256": (hashlib.sha256, 32),
    "HS384": (hashlib.sha384, 48),
    "HS512": (hashlib.sha512, 64),
}
DEFAULT_ALGORITHM = "HS256"


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def sign_secret_jwt(secret: str, alg: str, claims: Mapping[str, object]) -> str:
    """The compact JWS of ``claims`` under ``alg`` keyed by ``secret`` (checked at build)."""
    digest, _ = ALGORITHMS[alg]
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(dict(claims), separators=(",", ":")).encode())
    signing_input = header + b"." + payload
    signature = _b64(hmac.new(secret.encode("utf-8"), signing_input, digest).digest())
    return (signing_input + b"." + signature).decode("ascii")
