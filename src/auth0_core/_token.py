"""What the SDK reads from a JWT without verifying it (the party that receives the token
verifies it)."""

from __future__ import annotations

import base64
import json
from typing import Any


def unverified_claims(token: str) -> dict[str, Any] | None:
    """The payload of a compact JWS (three dot-separated parts), read without verification;
    None when it is not one or its payload is not a base64url JSON object.

    Never raises: a payload nested too deeply for the JSON parser (a RecursionError) is as
    unreadable as one that is not JSON at all.
    """
    if not isinstance(token, str):
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    # ValueError covers binascii.Error and UnicodeDecodeError; RecursionError: deep nesting.
    except (ValueError, TypeError, RecursionError):
        return None
    return claims if isinstance(claims, dict) else None


def unverified_audiences(access_token: str) -> list[str] | None:
    """The ``aud`` of a JWT access token, read without verification; None for opaque tokens
    and for JWTs whose payload cannot be read (not JSON, nested too deeply).

    Only used to notice that the tenant answered for another audience than the one asked
    (MRRT silently falls back to the default audience, protocol doc §4.5); the API that
    receives the token verifies it.
    """
    claims = unverified_claims(access_token)
    if claims is None:
        return None
    audience = claims.get("aud")
    if isinstance(audience, str):
        return [audience]
    if isinstance(audience, list) and all(isinstance(a, str) for a in audience):
        return list(audience)
    return None
