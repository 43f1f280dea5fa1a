"""``/ciba``: log in on another device (CIBA, docs/ciba.md).

The visitor names a user; the app starts ``login_backchannel`` in the background (it polls the
tenant until the user answers) and shows the binding message with a link to the tenant's
approval page (``{tenant}/ciba?user=...``, the user's device, emulated). The page reloads
itself; once the user approved, the session ``login_backchannel`` wrote (its ``Set-Cookie``
lines, kept until then) goes to this browser and the home page shows the user. A denial or an
expiry is shown instead. The background login is this browser's alone: a random handle in an
HttpOnly cookie names it, and it ends with the app.
"""

from __future__ import annotations

import html
import secrets
import shlex
from typing import Any
from urllib.parse import urlencode

import attrs
from anyio.abc import TaskGroup

from auth0_anyio import ServerClient
from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import parse_form
from auth0_core.errors import Auth0Error
from auth0_core.stores import CookieRequest, CookieResponse

from ._pages import HOME_LINK, page

CIBA = "/ciba"
HANDLE_COOKIE = "demo_ciba"
# Background logins kept at once (the oldest is forgotten beyond: its task still ends).
_MAX_PENDING = 64


@attrs.define
class _Pending:
    user_id: str
    binding_message: str
    done: bool = False
    cookies: tuple[tuple[str, str], ...] = ()
    error: str | None = None


class CibaLogins:
    """The ``/ciba`` page and the background logins it started."""

    def __init__(self, client: ServerClient, tenant_url: str, background: TaskGroup | None):
        self.client = client
        self.tenant_url = tenant_url
        self.background = background
        self.pending: dict[str, _Pending] = {}

    async def handle(
        self, request: HttpRequest, cookies: dict[str, str], response: CookieResponse
    ) -> HttpResponse:
        if request.method == "POST":
            return self._start(request, response)
        handle = cookies.get(HANDLE_COOKIE, "")
        login = self.pending.get(handle)
        if login is None:
            return page(_FORM, cookies=response)
        if not login.done:
            return page(self._waiting(login), cookies=response, headers=(("Refresh", "2"),))
        del self.pending[handle]
        response.delete_cookie(HANDLE_COOKIE, path=CIBA)
        if login.error is not None:
            body = (
                f"<p id='ciba-error'>The login did not happen: {html.escape(login.error)}</p>"
                f"<p><a href='{CIBA}'>Try again</a> · {HOME_LINK}</p>"
            )
            return page(body, cookies=response)
        headers = (("Location", "/"), ("Cache-Control", "no-store"))
        return HttpResponse(status=302, headers=(*headers, *login.cookies, *response.headers()))

    def _start(self, request: HttpRequest, response: CookieResponse) -> HttpResponse:
        user_id = (parse_form(request.body).get("user") or [""])[0].strip()
        if not user_id or self.background is None:
            problem = "Name a user." if user_id == "" else "Background logins are unavailable."
            body = f"<p id='ciba-error'>{problem}</p>{_FORM}"
            return page(body, status=400, cookies=response)
        message = f"Demo sign-in {secrets.randbelow(10000):04d}"
        handle = secrets.token_urlsafe(24)
        login = _Pending(user_id=user_id, binding_message=message)
        self.pending[handle] = login
        while len(self.pending) > _MAX_PENDING:
            del self.pending[next(iter(self.pending))]
        self.background.start_soon(self._login, login)
        response.set_cookie(HANDLE_COOKIE, handle, path=CIBA, httponly=True, samesite="Lax")
        return HttpResponse(
            status=303,
            headers=(("Location", CIBA), ("Cache-Control", "no-store"), *response.headers()),
        )

    async def _login(self, login: _Pending) -> None:
        store = CookieResponse()
        options: dict[str, Any] = {
            "login_hint": {"sub": login.user_id},
            "binding_message": login.binding_message,
        }
        try:
            await self.client.login_backchannel(
                options, store_options={"request": CookieRequest({}), "response": store}
            )
            login.cookies = tuple(store.headers())
        except Auth0Error as exc:
            login.error = exc.message or type(exc).__name__
        finally:
            login.done = True

    def _waiting(self, login: _Pending) -> str:
        approve = f"{self.tenant_url}/ciba?{urlencode({'user': login.user_id})}"
        command = (
            f"auth0-core ciba approve --user {shlex.quote(login.user_id)} "
            f"--tenant {self.tenant_url}"
        )
        return (
            f"<p>Waiting for <strong id='ciba-user'>{html.escape(login.user_id)}</strong> to "
            "approve on their device. Check that it shows "
            f"<strong id='binding-message'>{html.escape(login.binding_message)}</strong>.</p>"
            f"<p>The device, emulated: <a id='approve-link' href='{html.escape(approve)}' "
            "target='_blank'>the tenant's approval page</a>, or "
            f"<code>{html.escape(command)}</code>. This page reloads itself.</p>"
            f"<p>{HOME_LINK}</p>"
        )


_FORM = (
    "<h2>Log in on another device (CIBA)</h2>"
    f"<form method='post' action='{CIBA}'>"
    "<label>User id <input type='text' name='user' value='auth0|alice'></label> "
    "<button type='submit'>Send a sign-in request</button></form>"
    "<p>The demo tenant's users: <code>auth0|alice</code>, <code>auth0|bob</code>. The app asks "
    "the tenant (<code>/bc-authorize</code>) to ask the user; no browser login is involved.</p>"
    f"<p>{HOME_LINK}</p>"
)
