"""PKCE (RFC 7636) with the S256 method, the only one Auth0 supports."""

from __future__ import annotations

import base64
import hashlib

from ._env import Env


def random_code_verifier(env: Env) -> str:
    """A 64-character verifier from 48 random bytes (RFC 7636 §4.1 allows 43 to 128)."""
    return env.random_urlsafe(48)


def code_challenge(code_verifier: str) -> str:
    """``BASE64URL-NOPAD(SHA256(ASCII(code_verifier)))`` (RFC 7636 §4.2)."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
