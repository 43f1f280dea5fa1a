"""The integrations' routes, written once for the sync and the async facade.

A plan is a generator: it yields a :class:`Call` (a facade method and its arguments), gets the
call's result back, and returns the route's :class:`~._answers.Answer`. :func:`run_plan`
performs the calls on a sync ``ServerClient``, :func:`arun_plan` awaits them on an async one;
both pass the request's ``store_options`` to every call and turn an ``Auth0Error`` into its
answer. The plans choose options and redirect targets; the flows are the facade's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Any, cast

import attrs

from auth0_core.errors import Auth0Error

from ._answers import Answer, error_answer, problem, redirect
from ._redirects import MAX_TARGET, same_origin_path
from ._request import Settings, WebRequest, wants_json

__all__ = [
    "BACKCHANNEL_LOGOUT",
    "ROUTES",
    "Call",
    "RouteSpec",
    "Plan",
    "Settings",
    "WebRequest",
    "arun_plan",
    "callback_plan",
    "connect_plan",
    "link_plan",
    "login_plan",
    "logout_plan",
    "run_plan",
    "unlink_plan",
    "wants_json",
]


@attrs.frozen
class Call:
    """A facade call a plan asks for: ``getattr(client, method)(*args, store_options=...)``."""

    method: str
    args: tuple[Any, ...] = ()


Plan = Generator[Call, Any, Answer]

# Which completion a callback needs, by callback_kind's answer.
_COMPLETIONS = {
    "connect": "complete_connect_account",
    "link": "complete_link_user",
    "unlink": "complete_unlink_user",
}


def _return_target(request: WebRequest, *, form: bool = False) -> str | Answer:
    """The request's ``returnTo`` as a path of this application (the home page when absent),
    or the 400 that refuses it."""
    wanted = request.first("returnTo", form=form)
    if wanted is None:
        return request.home
    target = same_origin_path(wanted, request.origin)
    if target is None:
        message = f"returnTo must be a path of this application (at most {MAX_TARGET} characters)."
        return problem(request, 400, "Bad request", message, "invalid_return_to")
    return target


def login_plan(request: WebRequest, settings: Settings) -> Plan:
    """``GET {prefix}/login?returnTo=/path``: to the tenant's login page."""
    target = _return_target(request)
    if isinstance(target, Answer):
        return target
    options: dict[str, Any] = {"app_state": {"returnTo": target}}
    if settings.login_params:
        options["authorization_params"] = dict(settings.login_params)
    if request.callback_url is not None:
        options["redirect_uri"] = request.callback_url
    url = yield Call("start_interactive_login", (options,))
    return redirect(url)


def callback_plan(request: WebRequest, settings: Settings | None = None) -> Plan:
    """``GET {prefix}/callback``: completes a login, link, unlink or connect (whichever the
    callback's transaction belongs to), then back to the ``returnTo`` it started with."""
    kind = yield Call("callback_kind", (request.url,))
    result = yield Call(_COMPLETIONS.get(kind, "complete_interactive_login"), (request.url,))
    app_state = getattr(result, "app_state", None)
    wanted = app_state.get("returnTo") if isinstance(app_state, Mapping) else None
    # app_state came back sealed in the transaction; checked again all the same.
    return redirect(same_origin_path(wanted, request.origin) or request.home)


def logout_plan(request: WebRequest, settings: Settings | None = None) -> Plan:
    """``GET|POST {prefix}/logout?returnTo=/path``: ends the session, then to the tenant's
    logout, which sends the browser back to ``returnTo`` (an Allowed Logout URL)."""
    target = _return_target(request, form=request.method == "POST")
    if isinstance(target, Answer):
        return target
    url = yield Call("logout", ({"return_to": request.origin + target},))
    return redirect(url)


def _form_options(request: WebRequest) -> dict[str, Any] | Answer:
    """``connection`` and ``app_state`` from a start route's form, or the 400 refusing it."""
    connection = request.first("connection", form=True)
    if not connection:
        message = "The form must name a connection."
        return problem(request, 400, "Bad request", message, "missing_connection")
    target = _return_target(request, form=True)
    if isinstance(target, Answer):
        return target
    return {"connection": connection, "app_state": {"returnTo": target}}


def _linking_plan(request: WebRequest, method: str) -> Plan:
    options = _form_options(request)
    if isinstance(options, Answer):
        return options
    if request.callback_url is not None:
        options["authorization_params"] = {"redirect_uri": request.callback_url}
    url = yield Call(method, (options,))
    return redirect(url)


def link_plan(request: WebRequest, settings: Settings | None = None) -> Plan:
    """``POST {prefix}/link`` (form: ``connection``, ``returnTo``): links an account of that
    connection to the logged-in user, through the tenant."""
    return _linking_plan(request, "start_link_user")


def unlink_plan(request: WebRequest, settings: Settings | None = None) -> Plan:
    """``POST {prefix}/unlink`` (form: ``connection``, ``returnTo``)."""
    return _linking_plan(request, "start_unlink_user")


def connect_plan(request: WebRequest, settings: Settings | None = None) -> Plan:
    """``POST {prefix}/connect`` (form: ``connection``, ``returnTo``, optional ``scopes``, one
    per field): connects an upstream account (Connected Accounts, the My Account API)."""
    options = _form_options(request)
    if isinstance(options, Answer):
        return options
    scopes = request.form.get("scopes")
    if scopes:
        options["scopes"] = list(scopes)
    if request.callback_url is not None:
        options["redirect_uri"] = request.callback_url
    url = yield Call("start_connect_account", (options,))
    return redirect(url)


@attrs.frozen
class RouteSpec:
    """One route of the integrations: ``{prefix}/{name}``, its methods and its plan (whose
    form, for a POST, is the request's). The back-channel logout route,
    ``{prefix}/backchannel-logout``, is the SDK's own endpoint instead."""

    name: str
    plan: Callable[[WebRequest, Settings], Plan]
    methods: tuple[str, ...]

    @property
    def reads_form(self) -> bool:
        return "POST" in self.methods


ROUTES = (
    RouteSpec("login", login_plan, ("GET",)),
    RouteSpec("callback", callback_plan, ("GET",)),
    RouteSpec("logout", logout_plan, ("GET", "POST")),
    RouteSpec("link", link_plan, ("POST",)),
    RouteSpec("unlink", unlink_plan, ("POST",)),
    RouteSpec("connect", connect_plan, ("POST",)),
)
BACKCHANNEL_LOGOUT = "backchannel-logout"


def run_plan(plan: Plan, client: Any, store_options: Any, request: WebRequest) -> Answer:
    """Run ``plan`` on a sync ``ServerClient``."""
    try:
        call = next(plan)
        while True:
            method = getattr(client, call.method)
            call = plan.send(method(*call.args, store_options=store_options))
    except StopIteration as done:
        return cast(Answer, done.value)
    except Auth0Error as error:
        return error_answer(error, request)
    finally:
        plan.close()


async def arun_plan(plan: Plan, client: Any, store_options: Any, request: WebRequest) -> Answer:
    """Run ``plan`` on an async ``ServerClient`` (asyncio or trio)."""
    try:
        call = next(plan)
        while True:
            method: Callable[..., Awaitable[Any]] = getattr(client, call.method)
            call = plan.send(await method(*call.args, store_options=store_options))
    except StopIteration as done:
        return cast(Answer, done.value)
    except Auth0Error as error:
        return error_answer(error, request)
    finally:
        plan.close()
