"""The Flask integration: a blueprint, the user on ``flask.g``, ``login_required``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast, overload
from urllib.parse import parse_qs

from flask import Blueprint, Flask, Response, g, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from auth0_core.errors import Auth0Error
from auth0_requests import ServerClient, backchannel_logout_wsgi_app
from auth0_web_common import (
    BACKCHANNEL_LOGOUT,
    ROUTES,
    Answer,
    ErrorPageRenderer,
    PendingCookies,
    RouteSpec,
    Settings,
    WebRequest,
    error_answer,
    login_required_answer,
    run_plan,
)

F = TypeVar("F", bound=Callable[..., Any])
_COOKIES = "_auth0_cookies"


def _response(answer: Answer, render: ErrorPageRenderer | None = None) -> Response:
    return Response(answer.rendered_body(render), status=answer.status, headers=answer.headers)


class Auth0:
    """Auth0 in a Flask app: ``Auth0(client, app)`` or ``Auth0(client)`` then
    :meth:`init_app`.

    ``client`` is an ``auth0_requests.ServerClient``. ``prefix``, ``base_url``,
    ``secure_cookies`` and ``login_params`` are :class:`auth0_web_common.Settings`;
    ``user_attribute`` names the ``flask.g`` attribute the user goes on (``g.user``).
    ``error_page``, given, renders the HTML error pages (a bad callback, a refused sign-in,
    ...) in the application's own look: it gets an :class:`auth0_web_common.ErrorPage` and
    returns the page's HTML, escaping what it shows; the status, headers and JSON answers
    stay the integration's.
    """

    def __init__(
        self,
        client: ServerClient,
        app: Flask | None = None,
        *,
        prefix: str = "/auth",
        base_url: str | None = None,
        secure_cookies: bool | None = None,
        login_params: Mapping[str, Any] | None = None,
        user_attribute: str = "user",
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
        self.user_attribute = user_attribute
        self.blueprint = self._blueprint()
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Register the blueprint (which loads the user on every request, writes the
        session's cookies on every response and answers every ``Auth0Error``)."""
        app.register_blueprint(self.blueprint)

    def _blueprint(self) -> Blueprint:
        blueprint = Blueprint("auth0", __name__, url_prefix=self.settings.prefix or None)
        blueprint.before_app_request(self._load_user)
        blueprint.after_app_request(self._write_cookies)
        blueprint.app_errorhandler(Auth0Error)(self._answer_error)
        for route in ROUTES:
            view = functools.partial(self._route, route)
            blueprint.add_url_rule(f"/{route.name}", route.name, view, methods=route.methods)
        backchannel = backchannel_logout_wsgi_app(self.client)

        def backchannel_logout() -> Response:
            # The tenant's POST, answered by the SDK's WSGI endpoint (405 for other methods).
            answer: dict[str, Any] = {}

            def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
                answer.update(status=status, headers=headers)

            body = b"".join(backchannel(request.environ, start_response))
            return Response(body, status=answer["status"], headers=answer["headers"])

        blueprint.add_url_rule(
            f"/{BACKCHANNEL_LOGOUT}",
            "backchannel_logout",
            backchannel_logout,
            methods=["GET", "POST", "PUT", "DELETE"],
        )
        return blueprint

    # --- for the application's views -------------------------------------------------------

    def store_options(self) -> dict[str, Any]:
        """``store_options`` for a facade call of one's own in the current request."""
        return {"request": request, "response": self._cookies()}

    @property
    def user(self) -> dict[str, Any] | None:
        """The current request's user (also ``flask.g.user``)."""
        user: dict[str, Any] | None = g.get(self.user_attribute)
        return user

    @overload
    def login_required(self, view: F) -> F: ...
    @overload
    def login_required(self, *, api: bool | None = None) -> Callable[[F], F]: ...

    def login_required(
        self, view: F | None = None, *, api: bool | None = None
    ) -> F | Callable[[F], F]:
        """Guard a view: without a session, a redirect to the login that comes back to the
        page, or a 401 (``api=True``, or a client whose ``Accept`` asks for JSON)."""

        def decorate(function: F) -> F:
            @functools.wraps(function)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                if self.user is None:
                    answer = login_required_answer(self._web_request(), api=api)
                    return _response(answer, self.error_page)
                return function(*args, **kwargs)

            return cast(F, guarded)

        return decorate(view) if view is not None else decorate

    def get_access_token(self, audience: str | None = None, scope: str | None = None) -> str:
        """An access token for the session (refreshed when needed). An ``Auth0Error`` is
        answered by the blueprint's error handler (no session: log in again)."""
        token: str = self.client.get_access_token(
            store_options=self.store_options(), audience=audience, scope=scope
        )
        return token

    # --- hooks and routes ------------------------------------------------------------------

    def _cookies(self) -> PendingCookies:
        cookies = g.get(_COOKIES)
        if cookies is None:
            cookies = PendingCookies(secure=self.settings.secure(request.is_secure))
            setattr(g, _COOKIES, cookies)
        assert isinstance(cookies, PendingCookies)
        return cookies

    def _load_user(self) -> None:
        if request.blueprint == self.blueprint.name:
            setattr(g, self.user_attribute, None)  # our routes need no user
            return
        user = self.client.get_user(store_options=self.store_options())
        setattr(g, self.user_attribute, user)

    def _write_cookies(self, response: BaseResponse) -> BaseResponse:
        cookies = g.get(_COOKIES)
        if isinstance(cookies, PendingCookies):
            cookies.write_to(response)
        return response

    def _answer_error(self, error: Auth0Error) -> Response:
        return _response(error_answer(error, self._web_request()), self.error_page)

    def _route(self, route: RouteSpec) -> Response:
        web = self._web_request()
        plan = route.plan(web, self.settings)
        answer = run_plan(plan, self.client, self.store_options(), web)
        return _response(answer, self.error_page)

    def _web_request(self) -> WebRequest:
        origin = self.settings.origin(request.host_url.rstrip("/"))
        root = request.script_root
        callback = origin + url_for("auth0.callback")
        form: dict[str, list[str]] = {}
        if request.method == "POST":  # a form, urlencoded or multipart
            form = {key: request.form.getlist(key) for key in request.form}
        query = request.query_string.decode("latin-1")
        return WebRequest(
            method=request.method,
            url=request.url,
            origin=origin,
            path=root + request.path + (f"?{query}" if query else ""),
            accept=request.headers.get("Accept", ""),
            query=parse_qs(query, keep_blank_values=True),
            form=form,
            login_path=url_for("auth0.login"),
            callback_url=self.settings.callback_url(self.client, callback),
            home=f"{root}/",
        )
