"""The demo's protected API (``https://api.example.com`` in the default tenant).

It does what any API behind Auth0 does with a bearer token: verify the signature against the
tenant's JWKS, then the issuer, audience, expiry and scope. It lives beside the demo app so
the demo can show ``get_access_token(audience=...)`` being used for a real call.
"""

from __future__ import annotations

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import JSONResponse

from auth0_core import HttpResponse
from auth0_core._id_token import decode_unverified_header
from auth0_core.endpoints.authentication.jwks import process_jwks_response
from auth0_core.errors import Auth0Error

API_AUDIENCE = "https://api.example.com"
ITEMS = [{"id": 1, "name": "first item"}, {"id": 2, "name": "second item"}]


class DemoApi:
    """``GET /api/items`` needs a valid token for :data:`API_AUDIENCE` with ``read:items``."""

    def __init__(self, tenant_url: str, http: httpx.AsyncClient) -> None:
        self.issuer = f"{tenant_url}/"
        self.jwks_uri = f"{tenant_url}/.well-known/jwks.json"
        self.http = http

    async def items(self, request: Request) -> JSONResponse:
        """``GET /api/items``, a Starlette endpoint."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _denied(401, "invalid_request", "a bearer token is required")
        claims = await self._verify(token)
        if claims is None:
            return _denied(401, "invalid_token", "the token is not valid for this API")
        if "read:items" not in str(claims.get("scope", "")).split():
            return _denied(403, "insufficient_scope", "read:items is required")
        return JSONResponse({"items": ITEMS, "sub": claims.get("sub")})

    async def _verify(self, token: str) -> dict[str, object] | None:
        answer = await self.http.get(self.jwks_uri)
        keys = process_jwks_response(
            HttpResponse(
                status=answer.status_code,
                headers=tuple(answer.headers.items()),
                body=answer.content,
            )
        )
        try:
            kid = decode_unverified_header(token).get("kid")
        except Auth0Error:
            return None
        key = keys.find(kid if isinstance(kid, str) else None, "RS256")
        if key is None:
            return None
        try:
            decoded = jwt.decode(token, key, algorithms=["RS256"])
            registry = jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": API_AUDIENCE},
                exp={"essential": True},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError):
            return None
        return dict(decoded.claims)


def _denied(status: int, error: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={"WWW-Authenticate": f'Bearer error="{error}"'},
    )
