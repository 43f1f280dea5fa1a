"""Embedded authentication in the demo: an MFA step-up, a passwordless login by e-mail code,
and the tenant's outbox.

- ``/admin-api``: a token for the admin API (``https://api.example.com/admin``), which the demo
  tenant puts under MFA. ``get_access_token`` raises ``MfaRequiredError``; the page lists the
  user's authenticators (``server_client.mfa.list_authenticators``) and offers to set one up
  (``enroll_authenticator``: e-mail or an authenticator app) or to be sent a code
  (``challenge_authenticator``); the code goes to ``verify(..., persist=True)``, which stores
  the token in the session, and the page calls the API with it.
- ``/passwordless``: an e-mail address, ``server_client.passwordless.start``, then the code,
  ``passwordless.verify``, which writes the session; home.
- ``/outbox``: the e-mails and text messages the emulated tenant sent, newest first. It is the
  tenant's test mailbox, so it shows the codes and links by design (any visitor sees every
  message: it stands in for the users' inboxes and phones).

The sealed ``mfa_token`` (and a challenge's ``oob_code``) travel in the forms' hidden fields,
in POST bodies only. A wrong, expired or reused code is a typed error (``MfaVerifyError``,
``PasswordlessVerifyError``, ...) that the integration's middleware answers with the demo's
4xx page; nothing is stored then. There is no flow logic here beyond calling the facade.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from auth0_anyio import ServerClient
from auth0_anyio.auth_types import AuthenticatorResponse, OobEnrollmentResponse
from auth0_anyio.error import MfaRequiredError
from auth0_core.tenant.outbox import Email, Outbox, TextMessage
from auth0_starlette import Auth0

from ._api import ADMIN_AUDIENCE
from ._templates import button, card, error_response, esc, form_fields, masked, page

ADMIN = "/admin-api"
MFA_ENROLL = "/mfa/enroll"
MFA_CHALLENGE = "/mfa/challenge"
MFA_VERIFY = "/mfa/verify"
PASSWORDLESS = "/passwordless"
PASSWORDLESS_VERIFY = "/passwordless/verify"
OUTBOX = "/outbox"
# The factors the demo offers to set up: a code by e-mail (to the outbox), an authenticator app.
FACTORS = {"email": "E-mail me a code", "otp": "An authenticator app (TOTP)"}
# What a passwordless login asks for: the interactive login's scope (_run.LOGIN_SCOPE), so the
# session has a refresh token for the other audiences (the APIs, My Account).
PASSWORDLESS_SCOPE = "openid profile email offline_access"
_CODE = re.compile(r"\b(\d{6})\b")
_OUTBOX_LINK = f'<a id="open-outbox" href="{OUTBOX}" target="_blank">the outbox</a>'


def _redirect(location: str) -> Response:
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def _hidden(fields: dict[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">'
        for name, value in fields.items()
    )


def _factor_of(authenticator: AuthenticatorResponse) -> str | None:
    """``email`` or ``otp`` for an authenticator the demo can challenge, else None."""
    if authenticator.authenticator_type == "otp":
        return "otp"
    if authenticator.authenticator_type == "oob" and authenticator.oob_channel == "email":
        return "email"
    return None


def _code_form(mfa_token: str, oob_code: str | None) -> str:
    """The form that answers the challenge: the code typed, the sealed token and the
    challenge's ``oob_code`` (an e-mailed code) hidden."""
    fields = {"mfa_token": mfa_token}
    if oob_code is not None:
        fields["oob_code"] = oob_code
    return (
        f'<form method="post" action="{MFA_VERIFY}" id="mfa-verify-form">{_hidden(fields)}'
        '<label>Code <input type="text" name="code" id="mfa-code" inputmode="numeric" '
        'autocomplete="one-time-code" autofocus></label> '
        '<button type="submit" id="mfa-verify">Verify</button></form>'
    )


class EmbeddedPages:
    """The step-up, passwordless and outbox pages; ``outbox`` is the tenant's, when the tenant
    runs in this process (``auth0-core demo``), else None (the page says so)."""

    def __init__(
        self,
        client: ServerClient,
        auth0: Auth0,
        http: httpx.AsyncClient,
        base_url: str,
        outbox: Outbox | None,
    ) -> None:
        self.client = client
        self.auth0 = auth0
        self.http = http
        self.base_url = base_url
        self.outbox = outbox

    # --- MFA step-up ------------------------------------------------------------------------

    async def admin(self, request: Request) -> Response:
        """``GET /admin-api``: call the admin API, stepping up first when the tenant asks."""
        if await self.auth0.user(request) is None:
            return _login_first(ADMIN)
        try:
            token = await self.client.get_access_token(
                store_options=self.auth0.store_options(request), audience=ADMIN_AUDIENCE
            )
        except MfaRequiredError as exc:
            return await self._second_factor(exc.mfa_token)
        answer = await self.http.get(
            f"{self.base_url}/api/admin/reports", headers={"Authorization": f"Bearer {token}"}
        )
        body = card(
            f'<p>Token for <code id="admin-audience">{esc(ADMIN_AUDIENCE)}</code>: '
            f'<code id="admin-token">{masked(token)}</code></p>'
            f'<p>The admin API answered HTTP <strong id="admin-status">{answer.status_code}'
            f'</strong>:</p><pre id="admin-response">{esc(answer.text)}</pre>'
            '<p class="hint">This session passed MFA, so the tenant mints tokens for the admin '
            "API without asking again; the token is in the home page's token table.</p>"
            '<p><a class="button secondary" href="/">Back home</a></p>',
            id="admin-result",
            heading="The admin API's answer",
        )
        return page("Admin API", body, logged_in=True)

    async def _second_factor(self, mfa_token: str) -> Response:
        """The step-up page: challenge an authenticator the user has, or set one up."""
        authenticators = await self.client.mfa.list_authenticators({"mfa_token": mfa_token})
        usable = _usable(authenticators)
        intro = (
            f"<p>The admin API (<code>{esc(ADMIN_AUDIENCE)}</code>) needs a second factor: "
            "the tenant answered the token request with <code>mfa_required</code>, which the "
            "SDK raised as <code>MfaRequiredError</code> with a sealed <code>mfa_token</code>."
            "</p>"
        )
        if usable:
            buttons = "".join(
                button(
                    MFA_CHALLENGE,
                    f"Send a code to {name}" if factor == "email" else f"Use {name}",
                    id=f"mfa-challenge-{factor}",
                    fields={"mfa_token": mfa_token, "factor": factor, "authenticator_id": aid},
                )
                for factor, aid, name in usable
            )
            body = card(
                f'{intro}<div class="actions" id="mfa-authenticators">{buttons}</div>',
                id="mfa-challenge",
                heading="Verify it's you",
            )
            return page("Verify it's you", body, logged_in=True)
        buttons = "".join(
            button(
                MFA_ENROLL,
                label,
                id=f"mfa-enroll-{factor}",
                fields={"mfa_token": mfa_token, "factor": factor},
            )
            for factor, label in FACTORS.items()
        )
        body = card(
            f"{intro}<p>You have no authenticator yet: set one up.</p>"
            f'<div class="actions" id="mfa-factors">{buttons}</div>'
            f'<p class="hint">E-mailed codes land in {_OUTBOX_LINK}, the emulated tenant\'s '
            "test mailbox.</p>",
            id="mfa-enroll",
            heading="Set up an authenticator",
        )
        return page("Set up an authenticator", body, logged_in=True)

    async def enroll(self, request: Request) -> Response:
        """``POST /mfa/enroll`` (``mfa_token``, ``factor``): enroll, then ask for the code."""
        fields = await form_fields(request)
        if await self.auth0.user(request) is None:
            return _login_first(ADMIN)
        factor, mfa_token = fields.get("factor", ""), fields.get("mfa_token", "")
        if factor not in FACTORS:
            return _bad_request("Choose one of the factors the page offers.")
        enrollment = await self.client.mfa.enroll_authenticator(
            {"mfa_token": mfa_token, "factor_type": factor}
        )
        recovery = ""
        if enrollment.recovery_codes:
            codes = ", ".join(enrollment.recovery_codes)
            recovery = (
                '<p class="notice">Your recovery code, shown once (it signs you in if you lose '
                f'this factor): <code id="recovery-code">{esc(codes)}</code></p>'
            )
        if isinstance(enrollment, OobEnrollmentResponse):
            intro = (
                "<p>The tenant e-mailed a code to your address: open "
                f"{_OUTBOX_LINK} and type it here.</p>"
            )
            oob_code = enrollment.oob_code
        else:
            intro = (
                "<p>Add this key to your authenticator app, then type the six-digit code it "
                f'shows: <code id="otp-secret">{esc(enrollment.secret)}</code></p>'
                f'<p class="hint">Or scan: <code id="otp-uri">{esc(enrollment.barcode_uri)}'
                "</code></p>"
            )
            oob_code = None
        body = card(
            intro + recovery + _code_form(mfa_token, oob_code),
            id="mfa-code-card",
            heading="Enter the code",
        )
        return page("Enter the code", body, logged_in=True)

    async def challenge(self, request: Request) -> Response:
        """``POST /mfa/challenge`` (``mfa_token``, ``factor``, ``authenticator_id``): send a
        code (e-mail) or ask for the app's, then ask for it."""
        fields = await form_fields(request)
        if await self.auth0.user(request) is None:
            return _login_first(ADMIN)
        factor, mfa_token = fields.get("factor", ""), fields.get("mfa_token", "")
        if factor not in FACTORS:
            return _bad_request("Choose one of the authenticators the page offers.")
        options = {"mfa_token": mfa_token, "factor_type": factor}
        if fields.get("authenticator_id"):
            options["authenticator_id"] = fields["authenticator_id"]
        challenge = await self.client.mfa.challenge_authenticator(options)
        intro = (
            f"<p>The tenant e-mailed you a code: open {_OUTBOX_LINK} and type it here.</p>"
            if factor == "email"
            else "<p>Type the six-digit code your authenticator app shows.</p>"
        )
        oob_code = challenge.oob_code if factor == "email" else None
        body = card(
            intro + _code_form(mfa_token, oob_code), id="mfa-code-card", heading="Enter the code"
        )
        return page("Enter the code", body, logged_in=True)

    async def verify(self, request: Request) -> Response:
        """``POST /mfa/verify`` (``mfa_token``, ``code``, ``oob_code``?): ``verify`` with
        ``persist=True``, then back to the admin API, whose token the session now holds."""
        fields = await form_fields(request)
        if await self.auth0.user(request) is None:
            return _login_first(ADMIN)
        code = fields.get("code", "").strip()
        options: dict[str, object] = {"mfa_token": fields.get("mfa_token", ""), "persist": True}
        if fields.get("oob_code"):
            options |= {"oob_code": fields["oob_code"], "binding_code": code}
        else:
            options["otp"] = code
        await self.client.mfa.verify(options, store_options=self.auth0.store_options(request))
        return _redirect(ADMIN)

    # --- passwordless ---------------------------------------------------------------------

    async def passwordless_form(self, request: Request) -> Response:
        """``GET /passwordless``: the e-mail address to send a code to."""
        logged_in = await self.auth0.user(request) is not None
        body = card(
            f'<form method="post" action="{PASSWORDLESS}" id="passwordless-form">'
            '<label>E-mail <input type="email" name="email" id="passwordless-email" '
            'value="pat@example.org" autocomplete="email"></label> '
            '<button type="submit" id="passwordless-send">Send me a code</button></form>'
            '<p class="hint">The tenant e-mails a six-digit code (to its test mailbox, '
            f"{_OUTBOX_LINK}); any address works: the tenant creates a passwordless user "
            "(<code>email|...</code>) at its first login.</p>",
            id="passwordless",
            heading="Log in with an e-mail code",
        )
        return page("Log in with an e-mail code", body, logged_in=logged_in)

    async def passwordless_start(self, request: Request) -> Response:
        """``POST /passwordless`` (``email``): ``passwordless.start``, then ask for the code."""
        email = (await form_fields(request)).get("email", "").strip()
        await self.client.passwordless.start(
            {"email": email}, store_options=self.auth0.store_options(request)
        )
        body = card(
            f'<p>The tenant sent a code to <strong id="passwordless-to">{esc(email)}</strong>: '
            f"open {_OUTBOX_LINK} and type it here.</p>"
            f'<form method="post" action="{PASSWORDLESS_VERIFY}" id="passwordless-verify-form">'
            f"{_hidden({'email': email})}"
            '<label>Code <input type="text" name="code" id="passwordless-code" '
            'inputmode="numeric" autocomplete="one-time-code" autofocus></label> '
            '<button type="submit" id="passwordless-verify">Log in</button></form>'
            f'<p class="hint"><a href="{PASSWORDLESS}">Use another address</a></p>',
            id="passwordless-code-card",
            heading="Enter the code",
        )
        return page("Enter the code", body)

    async def passwordless_verify(self, request: Request) -> Response:
        """``POST /passwordless/verify`` (``email``, ``code``): ``passwordless.verify`` writes
        the session; home."""
        fields = await form_fields(request)
        await self.client.passwordless.verify(
            {
                "connection": "email",
                "email": fields.get("email", "").strip(),
                "verification_code": fields.get("code", "").strip(),
                "scope": PASSWORDLESS_SCOPE,
            },
            store_options=self.auth0.store_options(request),
        )
        return _redirect("/")

    # --- the outbox -----------------------------------------------------------------------

    async def outbox_page(self, request: Request) -> Response:
        """``GET /outbox``: what the tenant sent, newest first."""
        logged_in = await self.auth0.user(request) is not None
        notice = (
            '<p class="notice" id="outbox-notice">This is the emulated tenant\'s test '
            "mailbox: the e-mails and text messages it would send to users' inboxes and "
            "phones, with their one-time codes and links, shown here by design so you can "
            "try the flows. Anyone who opens the demo sees them; a real tenant sends them to "
            "the user only.</p>"
        )
        if self.outbox is None:
            body = card(
                notice + '<p id="outbox-unavailable">The tenant runs elsewhere: its mailbox '
                "cannot be read from this app.</p>",
                id="outbox",
                heading="Outbox",
            )
            return page("Outbox", body, logged_in=logged_in)
        messages = list(reversed(self.outbox.mail()))
        if not messages:
            listing = '<p id="outbox-empty" class="muted">Nothing was sent yet.</p>'
        else:
            rows = "".join(_message_row(message) for message in messages)
            listing = (
                '<table id="outbox-messages"><thead><tr><th>To</th><th>Subject</th>'
                f"<th>Code</th><th>Message</th></tr></thead><tbody>{rows}</tbody></table>"
            )
        body = card(
            notice + listing + f'<p class="hint"><a href="{OUTBOX}" id="outbox-reload">Reload'
            "</a> · newest first</p>",
            id="outbox",
            heading="Outbox",
        )
        return page("Outbox", body, logged_in=logged_in)


def _message_row(message: Email | TextMessage) -> str:
    kind = "email" if isinstance(message, Email) else "sms"
    to = message.to
    subject = message.subject if isinstance(message, Email) else "(text message)"
    text = message.body
    found = _CODE.search(text)
    code = (
        f'<code class="code">{esc(found.group(1))}</code>'
        if found
        else '<span class="muted">none</span>'
    )
    return (
        f'<tr class="message" data-kind="{kind}" data-to="{esc(to)}">'
        f'<td class="to">{esc(to)}</td><td class="subject">{esc(subject)}</td>'
        f'<td class="code-cell">{code}</td><td class="body"><pre>{esc(text)}</pre></td></tr>'
    )


def _usable(authenticators: Sequence[AuthenticatorResponse]) -> list[tuple[str, str, str]]:
    """(factor, id, name) of each active authenticator the demo can challenge."""
    found = []
    for authenticator in authenticators:
        factor = _factor_of(authenticator)
        if factor is not None and authenticator.active:
            name = authenticator.name or ("your app" if factor == "otp" else "your e-mail")
            found.append((factor, authenticator.id, name))
    return found


def _login_first(back_to: str) -> Response:
    return RedirectResponse(
        "/auth/login?" + urlencode({"returnTo": back_to}),
        status_code=302,
        headers={"Cache-Control": "no-store"},
    )


def _bad_request(message: str) -> Response:
    return error_response(400, "Bad request", message, "bad_request")
