"""The Starlette and FastAPI apps the tests drive: the integration's routes, a home page, a
protected page, a protected API route and a route that uses an access token."""

# No "from __future__ import annotations": FastAPI reads the local Annotated aliases.
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

import auth0_anyio
from auth0_core.tenant import Tenant
from auth0_starlette import Auth0, Auth0Middleware

from ..helpers import client_options


def make_client(tenant: Tenant, **overrides: Any) -> auth0_anyio.ServerClient:
    transport = auth0_anyio.handler_transport(tenant.handle)
    return auth0_anyio.ServerClient(
        http_client=httpx.AsyncClient(transport=transport), **client_options(**overrides)
    )


def starlette_app(auth0: Auth0) -> Starlette:
    async def home(request: Request) -> Response:
        user = await auth0.user(request)
        return HTMLResponse(f"<p>user: {user['name'] if user else 'nobody'}</p>")

    async def private(request: Request) -> Response:
        user = await auth0.require_user(request)
        return HTMLResponse(f"<p>Hello {user['name']}</p>")

    async def api_me(request: Request) -> Response:
        user = await auth0.require_api_user(request)
        return JSONResponse({"sub": user["sub"]})

    async def token(request: Request) -> Response:
        await auth0.require_user(request)
        value = await auth0.get_access_token(request)
        return JSONResponse({"length": len(value)})

    routes = [
        auth0.mount,
        Route("/", home),
        Route("/private", private),
        Route("/api/me", api_me),
        Route("/token", token),
    ]
    return Starlette(routes=routes, middleware=[auth0.middleware])


def fastapi_app(auth0: Auth0) -> FastAPI:
    app = FastAPI()
    app.add_middleware(Auth0Middleware, auth0=auth0)
    app.router.routes.append(auth0.mount)
    User = Annotated[dict[str, Any], Depends(auth0.require_user)]
    ApiUser = Annotated[dict[str, Any], Depends(auth0.require_api_user)]

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> str:
        user = await auth0.user(request)
        return f"<p>user: {user['name'] if user else 'nobody'}</p>"

    @app.get("/private", response_class=HTMLResponse)
    async def private(user: User) -> str:
        return f"<p>Hello {user['name']}</p>"

    @app.get("/api/me")
    async def api_me(user: ApiUser) -> dict[str, str]:
        return {"sub": user["sub"]}

    @app.get("/token")
    async def token(request: Request, user: User) -> dict[str, int]:
        return {"length": len(await auth0.get_access_token(request))}

    return app
