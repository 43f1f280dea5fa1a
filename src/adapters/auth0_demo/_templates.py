"""The demo's pages: one layout, the user card, the token table, the error pages.

Stable hooks for browser tests (Chromium/WebDriver) and for anyone restyling the demo. Ids are
unique on their page; change them only together with the tests that use them.

  every page      header.topbar > a.brand, nav#nav (a#nav-home, a#nav-profile,
                  a#nav-connected-accounts, a#nav-outbox, a#nav-login or a#nav-logout); main;
                  the stylesheet at /assets/auth0-core.css (the tenant's, same path), the icon
                  at /favicon.svg
  home, out       section#welcome; a#login.button (GET /auth/login); a#passwordless-login;
                  a#ciba-login; p#session-ended when the session store no longer holds the
                  browser's session
  home, in        section#user-card.card.user-card: img.avatar or span.avatar (initials),
                  #user-name, #user-email, ul#identities > li.identity[data-connection]
                  (#manage-identities links to /profile)
                  section#tokens: table#token-sets > tbody > tr.token-set[data-audience]
                  (or [data-connection] for Token Vault sets) > td.audience, td.scopes (one
                  span.chip per scope), td.expires-in[data-expires-at]
                  details#claims > summary + pre (the ID token's claims, folded)
                  div#actions: a#call-api, a#call-admin-api, a#token-vault,
                  a#connected-accounts, a#logout
                  section#backchannel: #store, form#end-sessions-form > button#end-sessions,
                  code#logout-user
  /call-api       #api-audience, #api-token (masked), #api-status, pre#api-response
  /connection     #connection, #connection-token (masked); p#not-connected when none
  /profile        the user card with its identities; ul#identities li.identity has
                  button#unlink-{connection} (POST /auth/unlink) for linked ones;
                  div#link-buttons > button#link-{connection} (POST /auth/link)
  /connected-accounts
                  table#accounts > tr.account[data-id] (a.vault-token, button#delete-{id})
                  or p#no-accounts; table#connections > tr.connection[data-name] >
                  button#connect-{name} (POST /auth/connect)
  /ciba           form#ciba-form; #ciba-user, #binding-message, a#approve-link, #ciba-error
  /admin-api      stepped up: section#admin-result with #admin-audience, #admin-token
                  (masked), #admin-status, pre#admin-response; MFA required and no
                  authenticator: section#mfa-enroll > div#mfa-factors > button#mfa-enroll-email,
                  button#mfa-enroll-otp (POST /mfa/enroll); with one: section#mfa-challenge >
                  div#mfa-authenticators > button#mfa-challenge-email or #mfa-challenge-otp
                  (POST /mfa/challenge)
  the MFA code    (after /mfa/enroll or /mfa/challenge) section#mfa-code-card >
                  form#mfa-verify-form (POST /mfa/verify) > input#mfa-code, button#mfa-verify;
                  a#open-outbox; code#otp-secret, code#otp-uri (an app); code#recovery-code
                  (the first enrollment, shown once)
  /passwordless   section#passwordless > form#passwordless-form > input#passwordless-email,
                  button#passwordless-send; then (POST) section#passwordless-code-card with
                  #passwordless-to, a#open-outbox, form#passwordless-verify-form (POST
                  /passwordless/verify) > input#passwordless-code, button#passwordless-verify
  /outbox         section#outbox > p#outbox-notice (the tenant's test mailbox: codes shown by
                  design), table#outbox-messages > tbody > tr.message[data-kind="email"|"sms"]
                  [data-to] (newest first) > td.to, td.subject, td.code-cell > code.code (the
                  six-digit code, when the message has one), td.body; or p#outbox-empty;
                  a#outbox-reload
  error pages     section#error-page[data-status] > p.status, h1#error-title, p#error
                  (the message), code#error-code, a#home; 4xx for what the browser or the
                  user did, never a trace

Everything shown is escaped here or by the caller (:func:`esc`); no page shows a whole token.
The outbox page and the MFA enrollment show one-time codes, an authenticator app's key and a
recovery code: what the user is meant to read (the outbox stands in for their inbox).
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from auth0_core.tenant.stylesheet import STYLESHEET_PATH, stylesheet_response
from auth0_web_common import ErrorPage

PROFILE = "/profile"
CONNECTED_ACCOUNTS = "/connected-accounts"

# A plain shield, drawn here so the demo needs no asset files.
FAVICON_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    b'<rect width="32" height="32" rx="6" fill="#3451b2"/>'
    b'<path d="M16 5l9 3.5v7c0 5.5-3.8 9.6-9 11.5-5.2-1.9-9-6-9-11.5v-7z" fill="#fff"/></svg>'
)


def esc(value: object) -> str:
    return html.escape(str(value))


def layout(title: str, body: str, *, logged_in: bool | None = None) -> str:
    """A whole page: the top bar (its last link logs in or out when ``logged_in`` says which),
    then ``body`` (already escaped)."""
    session_link = ""
    if logged_in is True:
        session_link = '<a id="nav-logout" href="/auth/logout">Log out</a>'
    elif logged_in is False:
        session_link = '<a id="nav-login" href="/auth/login">Log in</a>'
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · auth0-core demo</title>"
        f'<link rel="stylesheet" href="{STYLESHEET_PATH}">'
        '<link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>\n'
        '<body class="demo">\n<header class="topbar">'
        '<a class="brand" href="/">auth0-core demo</a><nav id="nav">'
        '<a id="nav-home" href="/">Home</a>'
        f'<a id="nav-profile" href="{PROFILE}">Linked accounts</a>'
        f'<a id="nav-connected-accounts" href="{CONNECTED_ACCOUNTS}">Connected accounts</a>'
        '<a id="nav-outbox" href="/outbox">Outbox</a>'
        f"{session_link}</nav></header>\n<main>\n{body}\n</main>\n</body></html>\n"
    )


def page(
    title: str,
    body: str,
    *,
    status: int = 200,
    logged_in: bool | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """An HTML response of :func:`layout`, never cached."""
    all_headers = {"Cache-Control": "no-store", **(headers or {})}
    return HTMLResponse(
        layout(title, body, logged_in=logged_in), status_code=status, headers=all_headers
    )


def card(body: str, *, id: str | None = None, heading: str | None = None) -> str:
    opened = f'<section class="card" id="{id}">' if id else '<section class="card">'
    title = f"<h2>{esc(heading)}</h2>" if heading else ""
    return f"{opened}{title}{body}</section>"


def button(
    action: str,
    label: str,
    *,
    id: str,
    fields: Mapping[str, str] | None = None,
    style: str = "",
    form_id: str | None = None,
) -> str:
    """A one-button form posting ``fields`` to ``action`` (everything escaped here)."""
    hidden = "".join(
        f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">'
        for name, value in (fields or {}).items()
    )
    form_attr = f' id="{esc(form_id)}"' if form_id else ""
    klass = f' class="{style}"' if style else ""
    return (
        f'<form class="inline" method="post" action="{esc(action)}"{form_attr}>{hidden}'
        f'<button type="submit" id="{esc(id)}"{klass}>{esc(label)}</button></form>'
    )


def masked(token: str) -> str:
    """A demo page may show that a token exists, never the token itself."""
    return esc(token[:8]) + "…"


# --- the user card --------------------------------------------------------------------------


def _initials(name: str) -> str:
    letters = [part[0] for part in name.replace("@", " ").replace(".", " ").split() if part]
    return "".join(letters[:2]).upper() or "?"


def avatar(user: Mapping[str, Any]) -> str:
    """The user's picture; their initials where the claims have none (a picture elsewhere may
    be unreachable from a demo machine, and then the browser shows its ``alt`` text)."""
    name = str(user.get("name") or user.get("email") or user.get("sub") or "")
    picture = user.get("picture")
    if isinstance(picture, str) and picture.startswith(("https://", "http://", "/")):
        return f'<img class="avatar" src="{esc(picture)}" alt="{esc(_initials(name))}">'
    return f'<span class="avatar" aria-hidden="true">{esc(_initials(name))}</span>'


def identity_item(identity: Mapping[str, Any], extra: str = "") -> str:
    connection = str(identity.get("connection"))
    user_id = str(identity.get("user_id"))
    return (
        f'<li class="identity" data-connection="{esc(connection)}" '
        f'data-user-id="{esc(user_id)}"><span class="chip">{esc(connection)}</span>'
        f'<span class="muted">{esc(user_id)}</span>{extra}</li>'
    )


def user_card(
    user: Mapping[str, Any], identities: Sequence[Mapping[str, Any]], items: Iterable[str] = ()
) -> str:
    """The user as a card: picture, name, email and linked identities (``items`` replaces
    the plain identity list, for the profile page's buttons)."""
    name = user.get("name") or user.get("nickname") or user.get("sub")
    email = user.get("email")
    verified = ' <span class="chip">verified</span>' if user.get("email_verified") else ""
    rows = list(items) or [identity_item(identity) for identity in identities]
    email_html = (
        f'<p id="user-email">{esc(email)}{verified}</p>'
        if email
        else '<p id="user-email" class="muted">no email</p>'
    )
    return (
        '<section class="card user-card" id="user-card">'
        f"{avatar(user)}<div>"
        f'<h2 id="user-name">{esc(name)}</h2>{email_html}'
        f'<p class="muted">Identities ({len(identities)}) · <a id="manage-identities" '
        f'href="{PROFILE}">manage</a></p><ul class="identities" id="identities">'
        f"{''.join(rows)}</ul></div></section>"
    )


# --- the token table ------------------------------------------------------------------------


def expires_in(expires_at: object, now: float | None = None) -> str:
    """``59 min``, ``1 h 5 min``, ``40 s``, or ``expired``."""
    if not isinstance(expires_at, int | float):
        return "unknown"
    left = int(expires_at - (time.time() if now is None else now))
    if left <= 0:
        return "expired"
    if left < 60:
        return f"{left} s"
    hours, minutes = divmod(left // 60, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _scopes(scope: object) -> str:
    chips = "".join(f'<span class="chip">{esc(s)}</span>' for s in str(scope or "").split())
    return chips or '<span class="muted">none</span>'


def token_table(session: Mapping[str, Any] | None) -> str:
    """The session's token sets (per audience, then Token Vault's per connection) as a table:
    audience, scopes, expires in. Never a token."""
    rows = []
    for token_set in (session or {}).get("token_sets") or []:
        audience = token_set.get("audience") or "(none)"
        # "default" is the SDK's name for the login's own audience (no audience asked).
        note = ' <span class="muted">the login\'s</span>' if audience == "default" else ""
        rows.append(
            f'<tr class="token-set" data-audience="{esc(audience)}">'
            f'<td class="audience"><code>{esc(audience)}</code>{note}</td>'
            f'<td class="scopes">{_scopes(token_set.get("scope"))}</td>'
            f'<td class="expires-in number" data-expires-at="{esc(token_set.get("expires_at"))}">'
            f"{esc(expires_in(token_set.get('expires_at')))}</td></tr>"
        )
    for token_set in (session or {}).get("connection_token_sets") or []:
        connection = str(token_set.get("connection"))
        rows.append(
            f'<tr class="token-set" data-connection="{esc(connection)}">'
            f'<td class="audience">Token Vault: <code>{esc(connection)}</code></td>'
            f'<td class="scopes">{_scopes(token_set.get("scope"))}</td>'
            f'<td class="expires-in number" data-expires-at="{esc(token_set.get("expires_at"))}">'
            f"{esc(expires_in(token_set.get('expires_at')))}</td></tr>"
        )
    if not rows:
        rows.append('<tr><td colspan="3" class="muted">No access tokens yet.</td></tr>')
    refresh = (
        "a refresh token, so each new audience costs one refresh (MRRT)"
        if (session or {}).get("refresh_token")
        else "no refresh token"
    )
    return (
        '<section class="card" id="tokens"><h2>Tokens in this session</h2>'
        '<table id="token-sets"><thead><tr><th>Audience</th><th>Scopes</th>'
        f"<th>Expires in</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="hint">The session also holds {refresh}.</p></section>'
    )


def claims(user: Mapping[str, Any]) -> str:
    """The decoded ID token claims, folded away."""
    shown = esc(json.dumps(user, indent=2, sort_keys=True))
    return (
        '<details id="claims"><summary>Decoded ID token claims</summary>'
        f"<pre>{shown}</pre></details>"
    )


# --- errors and small responses -------------------------------------------------------------


def error_body(status: int, title: str, message: str, code: str, home: str = "/") -> str:
    hint = (
        "Nothing was changed. You can start again from the home page."
        if status < 500
        else "The application could not complete this request. Please try again later."
    )
    return (
        f'<section class="card" id="error-page" data-status="{status}">'
        f'<p class="status">{status}</p><h1 id="error-title">{esc(title)}</h1>'
        f'<p class="error" id="error">{esc(message)}</p>'
        f'<p class="muted">{hint} <code id="error-code">{esc(code)}</code></p>'
        f'<p><a class="button" id="home" href="{esc(home)}">Back to the demo</a></p></section>'
    )


def render_error_page(error: ErrorPage) -> str:
    """The integration's error pages in the demo's look (``Auth0(error_page=...)``)."""
    body = error_body(error.status, error.title, error.message, error.code, error.home)
    return layout(error.title, body)


def error_response(
    status: int, title: str, message: str, code: str, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    return page(title, error_body(status, title, message, code), status=status, headers=headers)


def favicon() -> Response:
    headers = {"Cache-Control": "public, max-age=86400"}
    return Response(FAVICON_SVG, media_type="image/svg+xml", headers=headers)


def stylesheet() -> Response:
    """The tenant's stylesheet, served from the demo's own origin (same path)."""
    answer = stylesheet_response()
    return Response(answer.body, status_code=answer.status, headers=dict(answer.headers))


# A one-button form posts a few short fields; a bigger body is no form of the demo's.
MAX_FORM_BYTES = 16 * 1024


async def form_value(request: Request, name: str) -> str:
    """The first value of the url-encoded form field ``name`` ("" when absent)."""
    return (await form_fields(request)).get(name, "")


async def form_fields(request: Request) -> dict[str, str]:
    """The first value of each url-encoded form field (none for another body, or a body too
    big for a form of the demo's); read once per request."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in parsed.items() if values}
