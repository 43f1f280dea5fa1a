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

import secrets
import shlex
from typing import Any
from urllib.parse import urlencode

import attrs
from anyio.abc import TaskGroup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth0_anyio import ServerClient
from auth0_core.errors import Auth0Error
from auth0_core.stores import CookieRequest
from auth0_web_common import PendingCookies

from ._templates import card, esc, form_value, page

CIBA = "/ciba"
HANDLE_COOKIE = "demo_ciba"
# Background logins kept at once (the oldest is forgotten beyond: its task still ends).
_MAX_PENDING = 64


@attrs.define
class _Pending:
    user_id: str
    binding_message: str
    # The session's cookie writes, kept until this browser comes back for them.
    cookies: PendingCookies
    done: bool = False
    error: str | None = None


class CibaLogins:
    """The ``/ciba`` page and the background logins it started."""

    def __init__(self, client: ServerClient, tenant_url: str, background: TaskGroup | None):
        self.client = client
        self.tenant_url = tenant_url
        self.background = background
        self.pending: dict[str, _Pending] = {}

    async def page(self, request: Request) -> Response:
        """``GET /ciba``: the form, the wait, or the outcome."""
        handle = request.cookies.get(HANDLE_COOKIE, "")
        login = self.pending.get(handle)
        if login is None:
            return page("Log in on another device", _form())
        if not login.done:
            return page("Waiting for approval", self._waiting(login), headers={"Refresh": "2"})
        del self.pending[handle]
        if login.error is not None:
            body = card(
                f'<p class="error" id="ciba-error">The login did not happen: '
                f"{esc(login.error)}</p>"
                f'<p><a class="button" href="{CIBA}">Try again</a> <a href="/">Home</a></p>',
                heading="Log in on another device",
            )
            response: Response = page("Log in on another device", body)
        else:
            response = RedirectResponse("/", status_code=302, headers={"Cache-Control": "no-store"})
            login.cookies.write_to(response, samesite="lax")
        response.delete_cookie(HANDLE_COOKIE, path=CIBA)
        return response

    async def start(self, request: Request) -> Response:
        """``POST /ciba`` (form ``user``): send the sign-in request, in the background."""
        user_id = (await form_value(request, "user")).strip()
        if not user_id or self.background is None:
            problem = "Name a user." if user_id == "" else "Background logins are unavailable."
            body = f'<p class="error" id="ciba-error">{problem}</p>{_form()}'
            return page("Log in on another device", body, status=400)
        message = f"Demo sign-in {secrets.randbelow(10000):04d}"
        handle = secrets.token_urlsafe(24)
        cookies = PendingCookies(secure=request.url.scheme == "https")
        login = _Pending(user_id=user_id, binding_message=message, cookies=cookies)
        self.pending[handle] = login
        while len(self.pending) > _MAX_PENDING:
            del self.pending[next(iter(self.pending))]
        self.background.start_soon(self._login, login)
        response = RedirectResponse(CIBA, status_code=303, headers={"Cache-Control": "no-store"})
        response.set_cookie(HANDLE_COOKIE, handle, path=CIBA, httponly=True, samesite="lax")
        return response

    async def _login(self, login: _Pending) -> None:
        options: dict[str, Any] = {
            "login_hint": {"sub": login.user_id},
            "binding_message": login.binding_message,
        }
        try:
            await self.client.login_backchannel(
                options, store_options={"request": CookieRequest({}), "response": login.cookies}
            )
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
        return card(
            f'<p>Waiting for <strong id="ciba-user">{esc(login.user_id)}</strong> to '
            "approve on their device. Check that it shows "
            f'<strong id="binding-message">{esc(login.binding_message)}</strong>.</p>'
            f'<p>The device, emulated: <a id="approve-link" href="{esc(approve)}" '
            'target="_blank">the tenant\'s approval page</a>, or '
            f"<code>{esc(command)}</code>. This page reloads itself.</p>"
            '<p><a href="/">Home</a></p>',
            heading="Log in on another device",
        )


def _form() -> str:
    return card(
        f'<form method="post" action="{CIBA}" id="ciba-form">'
        '<label>User id <input type="text" name="user" value="auth0|alice"></label>'
        '<button type="submit" id="ciba-send">Send a sign-in request</button></form>'
        '<p class="hint">The demo tenant\'s users: <code>auth0|alice</code>, '
        "<code>auth0|bob</code>. The app asks the tenant (<code>/bc-authorize</code>) to ask "
        "the user; no browser login is involved.</p>",
        heading="Log in on another device (CIBA)",
    )
