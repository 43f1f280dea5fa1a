"""The demo's protected APIs: ``https://api.example.com`` (the default tenant's) and its admin
API, ``https://api.example.com/admin``, which the demo tenant puts under MFA (``[mfa]
audiences``): a token for it takes a step-up.

Each does what any API behind Auth0 does with a bearer token: verify the signature against the
tenant's JWKS, then the issuer, audience, expiry and scope. They live beside the demo app so
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
# The admin API: the demo tenant requires MFA for every token minted for it.
ADMIN_AUDIENCE = "https://api.example.com/admin"
ADMIN_SCOPE = "read:reports"
REPORTS = [{"id": "q3", "name": "third-quarter report"}]


class DemoApi:
    """``GET /api/items`` needs a valid token for :data:`API_AUDIENCE` with ``read:items``;
    ``GET /api/admin/reports`` one for :data:`ADMIN_AUDIENCE` with :data:`ADMIN_SCOPE`."""

    def __init__(self, tenant_url: str, http: httpx.AsyncClient) -> None:
        self.issuer = f"{tenant_url}/"
        self.jwks_uri = f"{tenant_url}/.well-known/jwks.json"
        self.http = http

    async def items(self, request: Request) -> JSONResponse:
        """``GET /api/items``, a Starlette endpoint."""
        return await self._answer(request, API_AUDIENCE, "read:items", {"items": ITEMS})

    async def reports(self, request: Request) -> JSONResponse:
        """``GET /api/admin/reports``, a Starlette endpoint."""
        return await self._answer(request, ADMIN_AUDIENCE, ADMIN_SCOPE, {"reports": REPORTS})

    async def _answer(
        self, request: Request, audience: str, scope: str, data: dict[str, object]
    ) -> JSONResponse:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _denied(401, "invalid_request", "a bearer token is required")
        claims = await self._verify(token, audience)
        if claims is None:
            return _denied(401, "invalid_token", "the token is not valid for this API")
        if scope not in str(claims.get("scope", "")).split():
            return _denied(403, "insufficient_scope", f"{scope} is required")
        return JSONResponse({**data, "sub": claims.get("sub")})

    async def _verify(self, token: str, audience: str) -> dict[str, object] | None:
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
                aud={"essential": True, "value": audience},
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
