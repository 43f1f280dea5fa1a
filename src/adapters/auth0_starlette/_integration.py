"""The Starlette integration: routes, the middleware, the user and token helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, NoMatchFound, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from auth0_anyio import ServerClient, backchannel_logout_asgi_app
from auth0_core.errors import Auth0Error, ConfigurationError
from auth0_web_common import (
    BACKCHANNEL_LOGOUT,
    ROUTES,
    Answer,
    ErrorPageRenderer,
    PendingCookies,
    Plan,
    RouteSpec,
    Settings,
    WebRequest,
    arun_plan,
    error_answer,
    login_required_answer,
    page,
)

_COOKIES = "auth0_starlette.cookies"
_MAX_FORM_BYTES = 16 * 1024

_NOT_UTF8 = page(400, "Bad request", "The request's URL is not UTF-8.", "invalid_request")


class LoginRequired(Exception):
    """Raised by :meth:`Auth0.require_user` without a session; the middleware answers it
    (a redirect to the login, or a 401)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__("login required")
        self.answer = answer


def _response(
    answer: Answer, cookies: PendingCookies | None, render: ErrorPageRenderer | None = None
) -> Response:
    response = Response(
        answer.rendered_body(render), status_code=answer.status, headers=answer.headers
    )
    if cookies is not None:
        write_cookies(response, cookies)
    return response


def write_cookies(response: Response, cookies: PendingCookies) -> None:
    """Copy the cookie writes not yet sent onto ``response``."""
    cookies.write_to(response, samesite="lax")


class Auth0:
    """Auth0 in a Starlette or FastAPI app.

    ``client`` is an ``auth0_anyio.ServerClient`` (its stores get this integration's request
    and response adapters). ``prefix``, ``base_url``, ``secure_cookies`` and ``login_params``
    are :class:`auth0_web_common.Settings`. ``error_page``, given, renders the HTML error
    pages (a bad callback, a refused sign-in, ...) in the application's own look: it gets an
    :class:`auth0_web_common.ErrorPage` and returns the page's HTML, escaping what it shows;
    the status, headers and JSON answers stay the integration's.
    """

    def __init__(
        self,
        client: ServerClient,
        *,
        prefix: str = "/auth",
        base_url: str | None = None,
        secure_cookies: bool | None = None,
        login_params: Mapping[str, Any] | None = None,
        error_page: ErrorPageRenderer | None = None,
    ) -> None:
        self.client = client
        self.error_page = error_page
        self.settings = Settings(
            prefix=prefix,
            base_url=base_url,
            secure_cookies=secure_cookies,
            login_params=login_params,
        )
        routes = [
            Route(f"/{r.name}", self._endpoint(r), methods=list(r.methods), name=r.name)
            for r in ROUTES
        ]
        # The tenant's POST: no cookies, no session; the endpoint answers 405 itself.
        backchannel = backchannel_logout_asgi_app(client)
        routes.append(Route(f"/{BACKCHANNEL_LOGOUT}", backchannel, name="backchannel_logout"))
        self.mount = Mount(prefix, name="auth0", routes=routes)
        """The routes, to put in the app's routes (FastAPI: ``app.router.routes.append``)."""
        self.middleware = Middleware(Auth0Middleware, auth0=self)
        """The middleware, for ``Starlette(middleware=[...])`` (FastAPI: ``app.add_middleware(
        Auth0Middleware, auth0=auth0)``)."""

    # --- for the application's own routes --------------------------------------------------

    def store_options(self, request: Request) -> dict[str, Any]:
        """``store_options`` for a facade call of one's own in this request.

        Raises:
            ConfigurationError: the app does not run :class:`Auth0Middleware`, which copies
                the stores' cookie writes onto the app's responses.
        """
        cookies = request.scope.get(_COOKIES)
        if not isinstance(cookies, PendingCookies):
            raise ConfigurationError(
                "auth0_starlette: add auth0.middleware to the app (Starlette(middleware=[...])"
                " or app.add_middleware(Auth0Middleware, auth0=auth0))."
            )
        return {"request": request, "response": cookies}

    async def user(self, request: Request) -> dict[str, Any] | None:
        """The session's user claims, or None."""
        user: dict[str, Any] | None = await self.client.get_user(
            store_options=self.store_options(request)
        )
        return user

    async def require_user(self, request: Request) -> dict[str, Any]:
        """The session's user; without one, raises :class:`LoginRequired`, which the
        middleware answers with a redirect to the login (a page request) or a 401 (a request
        whose ``Accept`` asks for JSON). Usable as a FastAPI dependency as it is."""
        return await self._require(request, None)

    async def require_api_user(self, request: Request) -> dict[str, Any]:
        """:meth:`require_user` that always answers 401 without a session (an API route)."""
        return await self._require(request, True)

    async def _require(self, request: Request, api: bool | None) -> dict[str, Any]:
        user = await self.user(request)
        if user is None:
            raise LoginRequired(login_required_answer(self._web_request(request), api=api))
        return user

    async def get_access_token(
        self, request: Request, audience: str | None = None, scope: str | None = None
    ) -> str:
        """An access token for the session (refreshed when needed). An ``Auth0Error`` is
        answered by the middleware (no session, a refused refresh: log in again)."""
        token: str = await self.client.get_access_token(
            store_options=self.store_options(request), audience=audience, scope=scope
        )
        return token

    # --- the routes -----------------------------------------------------------------------

    def _endpoint(self, route: RouteSpec) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                if route.reads_form:
                    web = await self._web_request_with_form(request)
                else:
                    web = self._web_request(request)
            except UnicodeDecodeError:  # Starlette reads the query as UTF-8
                return _response(_NOT_UTF8, None)
            return await self._run(route.plan(web, self.settings), request, web)

        return endpoint

    async def _run(self, plan: Plan, request: Request, web: WebRequest) -> Response:
        # The routes work without the middleware too: they copy their own cookie writes.
        cookies = request.scope.get(_COOKIES)
        if not isinstance(cookies, PendingCookies):
            cookies = request.scope[_COOKIES] = self.new_cookies(request.scope)
        store_options = {"request": request, "response": cookies}
        answer = await arun_plan(plan, self.client, store_options, web)
        return _response(answer, cookies, self.error_page)

    # --- requests ---------------------------------------------------------------------------

    def new_cookies(self, scope: Scope) -> PendingCookies:
        return PendingCookies(secure=self.settings.secure(scope.get("scheme") == "https"))

    def _path_of(self, request: Request, name: str) -> str:
        try:
            return request.url_for(f"auth0:{name}").path
        except NoMatchFound:  # the mount is not in this app's router (a sub-application)
            root = request.scope.get("app_root_path", request.scope.get("root_path", ""))
            return f"{root}{self.settings.prefix}/{name}"

    def _web_request(
        self, request: Request, form: Mapping[str, list[str]] | None = None
    ) -> WebRequest:
        url = request.url
        origin = self.settings.origin(f"{url.scheme}://{url.netloc}")
        root = request.scope.get("app_root_path", request.scope.get("root_path", ""))
        callback = f"{origin}{self._path_of(request, 'callback')}"
        return WebRequest(
            method=request.method,
            url=str(url),
            origin=origin,
            path=url.path + (f"?{url.query}" if url.query else ""),
            accept=request.headers.get("accept", ""),
            query=parse_qs(url.query, keep_blank_values=True),
            form=form or {},
            login_path=self._path_of(request, "login"),
            callback_url=self.settings.callback_url(self.client, callback),
            home=f"{root}/",
        )

    async def _web_request_with_form(self, request: Request) -> WebRequest:
        form: dict[str, list[str]] = {}
        content_type = request.headers.get("content-type", "")
        if request.method == "POST" and content_type.startswith(
            "application/x-www-form-urlencoded"
        ):
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > _MAX_FORM_BYTES:
                    body = b""
                    break
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        return self._web_request(request, form)


class Auth0Middleware:
    """Pure ASGI middleware: gives each request its cookie writes, copies those still
    pending onto the response, and answers :class:`LoginRequired` and every ``Auth0Error`` a
    route raises (never a 500 with a stack trace). Runs on asyncio and trio."""

    def __init__(self, app: ASGIApp, auth0: Auth0) -> None:
        self.app = app
        self.auth0 = auth0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = scope[_COOKIES] = self.auth0.new_cookies(scope)
        started = False

        async def send_with_cookies(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            if message["type"] == "http.response.start" and cookies:
                carrier = Response()
                write_cookies(carrier, cookies)
                headers = MutableHeaders(scope=message)
                for name, value in carrier.raw_headers:
                    if name == b"set-cookie":
                        headers.append("set-cookie", value.decode("latin-1"))
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookies)
        except (LoginRequired, Auth0Error) as error:
            if started:
                raise
            request = Request(scope)
            if isinstance(error, LoginRequired):
                answer = error.answer
            else:
                answer = error_answer(error, self.auth0._web_request(request))
            await _response(answer, cookies, self.auth0.error_page)(scope, receive, send)
