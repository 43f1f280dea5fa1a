"""What the SDK reads from an access token without verifying it (the API that receives the
token verifies it)."""

from __future__ import annotations

import base64
import json


def unverified_audiences(access_token: str) -> list[str] | None:
    """The ``aud`` of a JWT access token, read without verification; None for opaque tokens.

    Only used to notice that the tenant answered for another audience than the one asked
    (MRRT silently falls back to the default audience, protocol doc §4.5); the API that
    receives the token verifies it.
    """
    parts = access_token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError):
        return None
    if not isinstance(claims, dict):
        return None
    audience = claims.get("aud")
    if isinstance(audience, str):
        return [audience]
    if isinstance(audience, list) and all(isinstance(a, str) for a in audience):
        return list(audience)
    return None
