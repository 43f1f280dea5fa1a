"""The official ``examples/MFA.md`` and ``examples/Passwordless.md`` blocks: how each is set up
and what is checked (see specs.py for the rest of the pages).

MFA: alice is under MFA on the tenant (``state.mfa.users``), logs in through the page's client
and asks for a token for ``https://api.example.com``; the ``MfaRequiredError`` this raises is
opened with ``decrypt_mfa_token`` and its raw token is the page's ``mfa_token``, as the page's
first block does. The authenticators a block needs are enrolled on the tenant first (the page's
example ids ``sms|dev_xxx``... filled with theirs), and the tenant's ``fixed_code`` is the
page's ``123456``: every code it sends is that, and an OTP authenticator accepts it.
``input()`` answers ``1`` to a selection and ``123456`` otherwise.

Passwordless: ``user_entered_code`` is the last code the tenant sent (read from its outbox
when the block reads it); the magic link is followed by the scripted browser, and
``request.url`` is its callback.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import attrs

from .harness import CALLBACK, Run

Step = Callable[[Run, dict[str, Any]], Any]
ALICE = "auth0|alice"
API = "https://api.example.com"
PAGE_PHONE = "+12025551234"
CODE = "123456"
OOB_GRANT = "http://auth0.com/oauth/grant-type/mfa-oob"
OTP_GRANT = "http://auth0.com/oauth/grant-type/mfa-otp"
RECOVERY_GRANT = "http://auth0.com/oauth/grant-type/mfa-recovery-code"
PASSWORDLESS_GRANT = "http://auth0.com/oauth/grant-type/passwordless/otp"
PAGE_EMAIL = "user@example.com"
ASYNC_FUNCTION = "defines an `async def` function to await (an asyncio/trio app's code)"
PREFIX = {"otp": "totp", "sms": "sms", "voice": "voice", "email": "email", "auth0": "push"}
BAD_WORDS = ("failed", "Failed", "Error", "error", "Invalid")


def _specs_module() -> Any:
    from . import specs

    return specs


def enroll(run: Run, kind: str, user_id: str = ALICE) -> str:
    """An active authenticator of ``kind`` for ``user_id`` on the tenant; its id."""
    from auth0_core.tenant.authentication.mfa_state import Authenticator

    ident = f"{PREFIX[kind]}|dev_{kind}example"
    authenticator = Authenticator(
        id=ident,
        user_id=user_id,
        authenticator_type="otp" if kind == "otp" else "oob",
        oob_channel=None if kind == "otp" else kind,
        secret="JBSWY3DPEHPK3PXP" if kind == "otp" else None,
        phone_number=PAGE_PHONE if kind in ("sms", "voice") else None,
        email="alice@example.com" if kind == "email" else None,
        active=True,
        created_at=run.tenant.env.now(),
    )
    run.tenant.state.mfa.authenticators.setdefault(user_id, []).append(authenticator)
    return ident


class PlainStore:
    """The page's app's session store: one process's sessions in a dict, whatever the store
    options (the page reads the session with them and without, e.g. MFA.md#19's
    ``get_user()``; our default memory store keys sessions by a cookie when given a request)."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, identifier: str, options: Any = None) -> Any:
        text = self.data.get(identifier)
        return None if text is None else json.loads(text)

    def set(
        self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.data[identifier] = json.dumps(state)

    def delete(self, identifier: str, options: Any = None) -> None:
        self.data.pop(identifier, None)


def _answer(prompt: str = "") -> str:
    return "1" if prompt.startswith("Selection") else CODE


def mfa_given(
    *kinds: str,
    stale: bool = False,
    recovery: str | None = None,
    challenge: str | None = None,
    blocks: tuple[str, ...] = (),
    step_up: bool = True,
    login_audience: str | None = None,
) -> Step:
    """alice under MFA, ``kinds`` enrolled (``ns["SMS_ID"]``... their ids), logged in, her
    step-up's raw token as ``mfa_token``; ``stale``: the login's own token is already stale,
    so ``get_access_token()`` itself meets MFA; ``challenge``: an OOB challenge of that factor
    started as ``challenge``; ``blocks``: the page's other blocks run first (their functions);
    ``login_audience``: the client's login is for that API (its default token is the API's)."""

    async def setup(run: Run, ns: dict[str, Any]) -> None:
        specs = _specs_module()
        ns.update(specs.constants(run))
        params = {"redirect_uri": CALLBACK}
        if login_audience is not None:
            params["audience"] = login_audience
        client = run.client(state_store=PlainStore(), authorization_params=params)
        ns.update(server_client=client, the_client=client, store_options=run.store())
        ns["print"] = specs.run_print(run)
        ns["input"] = _answer
        mfa = run.tenant.state.mfa
        mfa.fixed_code = CODE
        mfa.settings = attrs.evolve(mfa.settings, factors=(*mfa.settings.factors, "voice"))
        mfa.users.add(ALICE)
        for kind in kinds:
            ns[f"{kind.upper()}_ID"] = enroll(run, kind)
        if recovery is not None:
            mfa.recovery_codes[ALICE] = recovery.replace("-", "")
        if stale:
            apis: Any = run.tenant.state.apis
            apis.lifetime = lambda audience: 0  # every access token: stale at once
        await run.login(client)
        if step_up:
            from auth0_core.errors import MfaRequiredError

            try:
                await run.call(client, "get_access_token", run.store(), API)
            except MfaRequiredError as error:
                context = client.mfa.decrypt_mfa_token(error.mfa_token)
                ns["mfa_token"] = context.mfa_token
            else:
                raise AssertionError("the tenant asked for no MFA")
        if challenge is not None:
            ns["challenge"] = await run.call(
                client.mfa,
                "challenge_authenticator",
                {"mfa_token": ns["mfa_token"], "factor_type": challenge},
            )
        for key in blocks:
            await define_from(run, ns, key)

    return setup


async def define_from(run: Run, ns: dict[str, Any], key: str) -> None:
    """Run the page's block ``key`` (it defines functions) into ``ns``, as the page's reader
    would have run it before: the same edits as any block."""
    import official_doc_snippets as docs

    page = "examples/" + key.split("#")[0]
    snippet = next(s for s in docs.extract(page, docs.read_pages(None)[page]) if s.key == key)
    facade = "auth0_requests" if run.mode == "sync" else "auth0_anyio"
    from .specs import SPECS

    source = docs.prepared(snippet, SPECS[key], facade)
    exec(docs.compiled(snippet, source, run.mode == "sync"), ns)  # noqa: S102 (the pinned docs)
    outcome = ns["__snippet__"]()
    if run.mode != "sync":
        await outcome


def mfa_check(
    *expected: str,
    persisted: bool = False,
    grant: str | None = None,
    sent: tuple[str, str] | None = None,
    call: Callable[[Run, dict[str, Any]], Any] | None = None,
) -> Step:
    """The block printed lines starting with ``expected`` and nothing saying it failed; the
    session holds a token for the API (``persisted``); the tenant answered ``grant``; the
    outbox holds a message of ``sent`` (``("sms"|"email", to)``); ``call`` ran after."""

    async def check(run: Run, ns: dict[str, Any]) -> None:
        specs = _specs_module()
        if call is not None:
            await call(run, ns)
        lines = specs.printed(run)
        for prefix in expected:
            assert any(line.startswith(prefix) for line in lines), f"no {prefix!r}: {lines}"
        assert not any(word in line for line in lines for word in BAD_WORDS), lines
        if persisted:
            session = await run.call(ns["server_client"], "get_session", run.store())
            audiences = [entry["audience"] for entry in session["token_sets"]]
            assert API in audiences, audiences
        if grant is not None:
            assert run.count("/oauth/token", grant) >= 1, f"the tenant saw no {grant}"
        if sent is not None:
            from auth0_core.tenant.outbox import Email, TextMessage

            outbox = run.tenant.outbox
            if sent[0] == "sms":
                assert any(m.to == sent[1] for m in outbox.messages(TextMessage)), sent
            else:
                assert any(m.to == sent[1] for m in outbox.messages(Email)), sent

    return check


async def _poll_push(run: Run, ns: dict[str, Any]) -> None:
    client = ns["server_client"]
    challenge = await run.call(
        client.mfa,
        "challenge_authenticator",
        {"mfa_token": ns["mfa_token"], "factor_type": "auth0"},
    )
    assert run.tenant.state.mfa.answer_push(challenge.oob_code)  # the user approves
    answer = await ns["poll_push_verification"](client, ns["mfa_token"], challenge.oob_code)
    assert answer.access_token


async def _enrollment_flow(run: Run, ns: dict[str, Any]) -> None:
    token = await ns["handle_mfa_enrollment_flow"](
        ns["server_client"], ns["mfa_token"], run.store()
    )
    assert token


async def _challenge_flow(run: Run, ns: dict[str, Any]) -> None:
    token = await ns["handle_mfa_challenge_flow"](ns["server_client"], ns["mfa_token"], run.store())
    assert token


async def _login_with_mfa(run: Run, ns: dict[str, Any]) -> None:
    assert await ns["login_with_mfa"](ns["server_client"], run.store())


async def _error_handling(run: Run, ns: dict[str, Any]) -> None:
    assert await ns["handle_mfa_with_error_handling"](ns["server_client"], run.store()) is None


class _SessionStore:
    """The page's ``my_session_store``: remembers what it was given."""

    def __init__(self, sync: bool) -> None:
        self.sync = sync
        self.tokens: tuple[str, str | None] | None = None

    def update_tokens(self, access_token: str, id_token: str | None) -> Any:
        self.tokens = (access_token, id_token)
        if self.sync:
            return None

        async def done() -> None:
            return None

        return done()


def _with_session_store(inner: Step) -> Step:
    async def setup(run: Run, ns: dict[str, Any]) -> None:
        await inner(run, ns)
        ns["my_session_store"] = _SessionStore(run.mode == "sync")

    return setup


async def _tokens_handed_over(run: Run, ns: dict[str, Any]) -> None:
    assert ns["my_session_store"].tokens[0] == ns["access_token"]
    assert run.count("/oauth/token", OTP_GRANT) == 1


async def _user_persisted(run: Run, ns: dict[str, Any]) -> None:
    assert ns["user"]["sub"] == ALICE, ns["user"]


def _with_dpop_key(inner: Step) -> Step:
    async def setup(run: Run, ns: dict[str, Any]) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        await inner(run, ns)
        ns["dpop_key"] = ec.generate_private_key(ec.SECP256R1())

    return setup


def mfa_specs() -> dict[str, Any]:
    specs = _specs_module()
    spec, skip = specs.Spec, specs.skip
    s: dict[str, Any] = {}
    s["MFA.md#1"] = spec(
        "a constructor without `secret`: refused, as the official SDK refuses it",
        fills=(
            ('"<AUTH0_DOMAIN>"', "TENANT_DOMAIN"),
            ('"<AUTH0_CLIENT_ID>"', "CLIENT_ID"),
            ('"<AUTH0_CLIENT_SECRET>"', "CLIENT_SECRET"),
        ),
        setup=mfa_given(step_up=False),
        differs=(
            "ConfigurationError: 'secret' is required",
            "the block builds its ServerClient without `secret`, which both SDKs require (the "
            "official raises MissingRequiredArgumentError('secret')); the same get_access_token "
            "/ decrypt_mfa_token steps run in MFA.md#23 and #24",
        ),
    )
    s["MFA.md#2"] = skip(specs.FRAGMENT, "an `except` clause without its `try`")
    s["MFA.md#3"] = spec(
        "list the enrolled authenticators with the raw token (store options given)",
        setup=mfa_given("otp"),
        check=mfa_check("Authenticator: totp|dev_", "  Type: otp", "  Created: 20"),
    )
    s["MFA.md#4"] = spec(
        "list again: an enrolled factor is listed",
        setup=mfa_given("otp"),
        check=mfa_check("Available enrollment factors:", "  - otp"),
    )
    s["MFA.md#5"] = spec(
        "enroll OTP: the otpauth:// URI and the secret",
        setup=mfa_given(),
        check=mfa_check("QR Code URI: otpauth://totp/", "Secret Key: "),
    )
    for n, kind in ((6, "sms"), (7, "voice")):
        s[f"MFA.md#{n}"] = spec(
            f"enroll {kind}: the code goes to the page's phone number",
            setup=mfa_given(),
            check=mfa_check("OOB Code: oob_", sent=("sms", PAGE_PHONE)),
        )
    s["MFA.md#8"] = spec(
        "enroll e-mail: the code goes to the page's address",
        setup=mfa_given(),
        check=mfa_check("OOB Code: oob_", sent=("email", PAGE_EMAIL)),
    )
    s["MFA.md#9"] = spec(
        "enroll push (auth0): a QR code URI and an oob_code to poll with",
        setup=mfa_given(),
        check=mfa_check("QR Code URI: otpauth://", "OOB Code: oob_"),
    )
    s["MFA.md#10"] = spec(
        "challenge the enrolled SMS authenticator: a code texted",
        fills=(('"sms|dev_xxx"', "SMS_ID"),),
        setup=mfa_given("sms"),
        check=mfa_check("OOB Code: oob_", sent=("sms", PAGE_PHONE)),
    )
    s["MFA.md#11"] = spec(
        "challenge the enrolled e-mail authenticator: a code mailed",
        fills=(('"email|dev_xxx"', "EMAIL_ID"),),
        setup=mfa_given("email"),
        check=mfa_check("OOB Code: oob_", sent=("email", "alice@example.com")),
    )
    s["MFA.md#12"] = spec(
        "challenge the enrolled OTP authenticator",
        fills=(('"otp|dev_xxx"', "OTP_ID"),),
        setup=mfa_given("otp"),
        check=mfa_check("User should open their authenticator app"),
    )
    s["MFA.md#13"] = spec(
        "challenge the enrolled push authenticator",
        fills=(('"auth0|dev_xxx"', "AUTH0_ID"),),
        setup=mfa_given("auth0"),
        check=mfa_check("OOB Code: oob_", "Push notification sent"),
    )
    s["MFA.md#14"] = spec(
        "verify the SMS challenge's code, persisted for the API",
        setup=mfa_given("sms", challenge="sms"),
        check=mfa_check("MFA verification successful!", persisted=True, grant=OOB_GRANT),
    )
    s["MFA.md#15"] = spec(
        "verify an OTP code, persisted for the API",
        setup=mfa_given("otp"),
        check=mfa_check("MFA verification successful!", persisted=True, grant=OTP_GRANT),
    )
    s["MFA.md#16"] = spec(
        "verify the page's recovery code: a new one is printed",
        setup=mfa_given("otp", recovery="XXXX-XXXX-XXXX"),
        check=mfa_check("New Recovery Code: ", persisted=True, grant=RECOVERY_GRANT),
    )
    s["MFA.md#17"] = spec(
        "the page's push polling function: the user approves, the tokens come",
        setup=mfa_given("auth0"),
        check=mfa_check("Push notification approved!", call=_poll_push),
        sync_reason=ASYNC_FUNCTION,
    )
    s["MFA.md#18"] = spec(
        "verify with a DPoP key: a DPoP-bound token (the block asserts it)",
        setup=_with_dpop_key(mfa_given("otp")),
        check=mfa_check(grant=OTP_GRANT),
    )
    s["MFA.md#19"] = spec(
        "verify persisted, then get_user() reads the session",
        setup=mfa_given("otp"),
        check=mfa_check(persisted=True, grant=OTP_GRANT, call=_user_persisted),
    )
    s["MFA.md#20"] = spec(
        "verify without persisting; the tokens handed to the app's own store",
        setup=_with_session_store(mfa_given("otp")),
        check=mfa_check(call=_tokens_handed_over),
    )
    s["MFA.md#21"] = spec(
        "the page's enrollment flow: OTP enrolled and verified, persisted",
        setup=mfa_given(),
        check=mfa_check("MFA enrollment successful!", persisted=True, call=_enrollment_flow),
        sync_reason=ASYNC_FUNCTION,
    )
    s["MFA.md#22"] = spec(
        "the page's challenge flow: the first authenticator (OTP) challenged and verified",
        setup=mfa_given("otp"),
        check=mfa_check("  1. otp (totp|dev_", persisted=True, call=_challenge_flow),
        sync_reason=ASYNC_FUNCTION,
    )
    s["MFA.md#23"] = spec(
        "the page's complete login: get_access_token() meets MFA, enrollment flow (#21) runs",
        setup=mfa_given(
            stale=True, step_up=False, blocks=("MFA.md#21", "MFA.md#22"), login_audience=API
        ),
        check=mfa_check("MFA enrollment required", persisted=True, call=_login_with_mfa),
        sync_reason=ASYNC_FUNCTION,
    )
    s["MFA.md#24"] = spec(
        "the page's error handling: MFA met, SMS challenged, the code verified",
        setup=mfa_given("sms", stale=True, step_up=False),
        check=mfa_check("MFA Required: ", grant=OOB_GRANT, call=_error_handling),
        sync_reason=ASYNC_FUNCTION,
    )
    return s


# --- Passwordless.md -----------------------------------------------------------------------


def passwordless_user(email: str = PAGE_EMAIL) -> str:
    """The tenant's user id for a passwordless e-mail login of ``email``."""
    return "email|" + hashlib.sha256(email.encode()).hexdigest()[:24]


def _last_code(run: Run) -> str:
    from auth0_core.tenant.outbox import Email, TextMessage

    kinds: Any = Email | TextMessage  # in the order they were sent
    messages: list[Email | TextMessage] = run.tenant.outbox.messages(kinds)
    assert messages, "the tenant sent no code"
    found = re.search(r"\b(\d{6})\b", messages[-1].body)
    assert found is not None, "no code in the last message"
    return found.group(1)


def pl_given(*, code_sent: bool = False, link_followed: bool = False, mfa: bool = False) -> Step:
    """The page's client (our facade, redirect_uri the registered callback); a code sent to
    the page's address first (``code_sent``), or a magic link started and followed
    (``link_followed``: ``request.url`` is its callback); ``mfa``: that user under MFA with an
    OTP authenticator (``mfa_code`` is the tenant's fixed code)."""

    async def setup(run: Run, ns: dict[str, Any]) -> None:
        specs = _specs_module()
        ns.update(specs.constants(run))
        client = run.client()
        ns.update(server_client=client, the_client=client, store_options=run.store())
        ns["print"] = specs.run_print(run)
        types = specs._auth_types(run)
        ns.update(
            StartPasswordlessEmailOptions=types.StartPasswordlessEmailOptions,
            VerifyPasswordlessOtpOptions=types.VerifyPasswordlessOtpOptions,
            start_mfa=lambda token: {"mfa": "started"},
        )
        run.request.client = SimpleNamespace(host="203.0.113.7")  # type: ignore[attr-defined]
        run.lazy["user_entered_code"] = lambda: _last_code(run)
        if mfa:
            user_id = passwordless_user()
            run.tenant.state.mfa.users.add(user_id)
            run.tenant.state.mfa.fixed_code = ns["mfa_code"] = CODE
            enroll(run, "otp", user_id)
        if code_sent:
            options = {"email": PAGE_EMAIL}
            await run.call(client.passwordless, "start", options, run.store())
        if link_followed:
            options = {"email": PAGE_EMAIL, "send": "link"}
            await run.call(client.passwordless, "start", options, run.store())
            link = re.search(r"(https?://\S+)", _last_mail(run).body)
            assert link is not None
            answer = run.send(_get(link.group(1)))
            assert answer.status == 302, answer.status
            run.request.url = answer.header("location")

    return setup


def _get(url: str) -> Any:
    from auth0_core import HttpRequest

    return HttpRequest(method="GET", url=url)


def _last_mail(run: Run) -> Any:
    from auth0_core.tenant.outbox import Email

    mails = run.tenant.outbox.messages(Email)
    assert mails, "the tenant sent no e-mail"
    return mails[-1]


def pl_check(
    *, signed_in: str = "", sent: str = "", link: str = "", printed_: str = "", value: str = ""
) -> Step:
    """The session's user id starts with ``signed_in``; the tenant mailed (``sent``) a code,
    or a link carrying ``link``; the block printed ``printed_``; ``ns[value]`` is set."""

    async def check(run: Run, ns: dict[str, Any]) -> None:
        specs = _specs_module()
        if signed_in:
            user = await run.user_of(ns["server_client"])
            assert user.get("sub", "").startswith(signed_in), user
        if sent:
            mail = _last_mail(run)
            assert mail.to == sent, mail
            assert re.search(r"\b\d{6}\b", mail.body), "no code in the mail"
        if link:
            assert link in _last_mail(run).body, "the link lacks " + link
            assert run.jar, "no transaction cookie was set"
        if printed_:
            assert any(line.startswith(printed_) for line in specs.printed(run)), specs.printed(run)
        if value:
            assert ns.get(value), f"{value} is not set"

    return check


async def _constructed(run: Run, ns: dict[str, Any]) -> None:
    config = ns["server_client"].config
    assert config.redirect_uri == "https://app.example.com/auth/callback", config.redirect_uri


async def _link_user(run: Run, ns: dict[str, Any]) -> None:
    assert ns["user"]["email"] == PAGE_EMAIL, ns["user"]


async def _api_token(run: Run, ns: dict[str, Any]) -> None:
    session = await run.call(ns["server_client"], "get_session", run.store())
    assert [entry["audience"] for entry in session["token_sets"]] == [API], session
    assert session["refresh_token"], "offline_access gave no refresh token"


async def _mfa_session(run: Run, ns: dict[str, Any]) -> None:
    assert ns["user"]["sub"] == passwordless_user(), ns["user"]
    assert run.count("/oauth/token", OTP_GRANT) == 1


def passwordless_specs() -> dict[str, Any]:
    specs = _specs_module()
    spec, both = specs.Spec, specs.both
    s: dict[str, Any] = {}
    s["Passwordless.md#1"] = spec(
        "the page's constructor with a top-level redirect_uri",
        fills=specs.CONSTRUCTOR_FILLS,
        setup=pl_given(),
        check=_constructed,
    )
    s["Passwordless.md#2"] = spec(
        "start an e-mail code (x-request-language): the tenant mails a code",
        setup=pl_given(),
        check=pl_check(sent=PAGE_EMAIL, value="start_result"),
    )
    s["Passwordless.md#3"] = spec(
        "verify the mailed code: a session for the passwordless user",
        setup=pl_given(code_sent=True),
        check=pl_check(signed_in="email|", printed_="Signed in: email|"),
    )
    s["Passwordless.md#4"] = spec(
        "SMS: start, then verify the texted code",
        setup=pl_given(),
        check=pl_check(signed_in="sms|"),
    )
    s["Passwordless.md#5"] = spec(
        "start a magic link: mailed, a transaction stored for its callback",
        setup=pl_given(),
        check=pl_check(link="login_hint=user%40example.com"),
    )
    s["Passwordless.md#6"] = spec(
        "the magic link's callback finished by complete_interactive_login",
        setup=pl_given(link_followed=True),
        check=both(pl_check(signed_in="email|"), _link_user),
    )
    s["Passwordless.md#7"] = spec(
        "verify with an audience and scope: the API's token and a refresh token",
        setup=pl_given(code_sent=True),
        check=both(pl_check(signed_in="email|"), _api_token),
    )
    s["Passwordless.md#8"] = spec(
        "a magic link with an audience and scope",
        setup=pl_given(),
        check=pl_check(link="audience=https%3A%2F%2Fapi.example.com"),
    )
    s["Passwordless.md#9"] = spec(
        "start and verify forwarding the end-user IP (auth0-forwarded-for)",
        setup=pl_given(),
        check=pl_check(signed_in="email|"),
    )
    s["Passwordless.md#10"] = spec(
        "MFA during passwordless: challenge, verify persisted, the session started",
        setup=pl_given(code_sent=True, mfa=True),
        check=both(pl_check(signed_in="email|"), _mfa_session),
    )
    s["Passwordless.md#11"] = spec(
        "verify with the basic error handling: no error, a session",
        setup=pl_given(code_sent=True),
        check=pl_check(signed_in="email|"),
    )
    s["Passwordless.md#12"] = spec(
        "verify with the advanced error handling: no error, a session",
        setup=pl_given(code_sent=True),
        check=pl_check(signed_in="email|"),
    )
    return s
