"""The official ``examples/Passkeys.md`` blocks: how each is set up and what is checked (see
specs.py for the rest of the pages).

The browser between the two steps is :class:`auth0_core.testing.passkeys.SoftwareAuthenticator`
(EC P-256 keys made per run): ``credential`` is its answer to the options of the page's
``challenge`` (``create()`` after a sign-up challenge, ``get()`` after a login challenge),
computed when the block first reads it, after its challenge line ran. Blocks that start from
``auth_session`` / ``authn_response`` get a login challenge and its signed assertion for a user
signed up with a passkey first. The MFA block's user is under MFA with an OTP authenticator
(``otp_code`` is the tenant's fixed code) and ``save_session_for_user`` records what it saves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .harness import Run

Step = Callable[[Run, dict[str, Any]], Any]
CODE = "123456"
WEBAUTHN_GRANT = "urn:okta:params:oauth:grant-type:webauthn"
DOMAIN_FILL = ('"YOUR_CUSTOM_DOMAIN"', "TENANT_DOMAIN")
PAGE_EMAIL = "new.user@example.com"
LOGIN_EMAIL = "passkey.user@example.com"


def _specs_module() -> Any:
    from . import specs

    return specs


def _device(run: Run) -> Any:
    from auth0_core.testing.passkeys import SoftwareAuthenticator

    device = getattr(run, "passkey_device", None)
    if device is None:
        device = SoftwareAuthenticator()
        run.passkey_device = device  # type: ignore[attr-defined]
    return device


async def _sign_up(run: Run, client: Any, email: str = LOGIN_EMAIL) -> str:
    """A user signed up with the run's passkey (no session kept); the user's id."""
    from auth0_core.stores import CookieRequest, CookieResponse

    store = {"request": CookieRequest({}), "response": CookieResponse()}
    challenge = await run.call(
        client, "passkey_signup_challenge", {"email": email}, None, None, None, store
    )
    credential = _device(run).create(challenge.authn_params_public_key, attestation="packed")
    result = await run.call(
        client, "signin_with_passkey", challenge.auth_session, credential, store
    )
    return str(result.state_data["user"]["sub"])


def pk_given(
    *, signed_up: bool = False, challenged: str = "", assertion: bool = False, mfa: bool = False
) -> Step:
    """The page's client; ``signed_up``: a passkey user exists; ``challenged``: the page's
    ``challenge`` is a ``"signup"`` or ``"login"`` challenge made first; ``assertion``: a
    login challenge and its signed assertion as ``auth_session`` / ``authn_response``;
    ``mfa``: the passkey user is under MFA with an OTP authenticator. ``credential`` is the
    browser's answer to ``challenge`` when the block reads it."""

    async def setup(run: Run, ns: dict[str, Any]) -> None:
        specs = _specs_module()
        ns.update(specs.constants(run))
        client = run.client()
        ns.update(server_client=client, the_client=client, store_options=run.store())
        ns["print"] = specs.run_print(run)
        ns["start_mfa"] = lambda token: {"mfa": "started"}
        types = specs._auth_types(run)  # imported in an earlier block of the page
        ns.update(
            PasskeyAuthResponse=types.PasskeyAuthResponse,
            PasskeyUserProfile=types.PasskeyUserProfile,
        )
        saved: list[dict[str, Any]] = []
        run.saved_sessions = saved  # type: ignore[attr-defined]
        ns["save_session_for_user"] = lambda **tokens: saved.append(tokens)
        run.tenant.state.passkeys.reset()
        if assertion:
            from jwcrypto import jwk

            ns["dpop_key"] = jwk.JWK.generate(kty="EC", crv="P-256")  # the page's block 5's
        user_id = await _sign_up(run, client) if signed_up or assertion else ""
        if mfa:
            from .specs_embedded import enroll

            run.tenant.state.mfa.users.add(user_id)
            run.tenant.state.mfa.fixed_code = ns["otp_code"] = CODE
            enroll(run, "otp", user_id)
        if challenged == "signup":
            ns["challenge"] = await run.call(
                client, "passkey_signup_challenge", {"email": PAGE_EMAIL}, None, None, None,
                run.store(),
            )  # fmt: skip
        elif challenged == "login":
            ns["challenge"] = await run.call(client, "passkey_login_challenge", None, None, None,
                                             run.store())  # fmt: skip
        if assertion:
            login = await run.call(client, "passkey_login_challenge")
            ns["auth_session"] = login.auth_session
            ns["authn_response"] = _device(run).get(login.authn_params_public_key)
            ns["challenge"] = login

        def credential() -> dict[str, Any]:
            options = ns["challenge"].authn_params_public_key
            if options.rp is not None:  # creation options: a sign-up
                return dict(_device(run).create(options))
            return dict(_device(run).get(options))

        run.lazy["credential"] = credential

    return setup


def _signed_in(prefix: str = "auth0|", *, printed: str = "", token_type: str = "") -> Step:
    """The session's user id starts with ``prefix``; the block printed ``printed``; the
    session's access token is of ``token_type`` (the tenant's record of the grant)."""

    async def check(run: Run, ns: dict[str, Any]) -> None:
        specs = _specs_module()
        user = await run.user_of(ns["server_client"])
        assert user.get("sub", "").startswith(prefix), user
        assert run.count("/oauth/token", WEBAUTHN_GRANT) >= 1
        if printed:
            lines = specs.printed(run)
            assert any(line.startswith(printed) for line in lines), lines
        if token_type:
            session = await run.call(ns["server_client"], "get_session", run.store())
            token = session["token_sets"][0]["access_token"]
            claims = _claims(token)
            assert ("cnf" in claims) == (token_type == "DPoP"), claims

    return check


def _claims(token: str) -> dict[str, Any]:
    import base64
    import json

    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def _challenge_made(run: Run, ns: dict[str, Any]) -> None:
    challenge = ns["challenge"]
    assert challenge.auth_session, "no auth_session"
    assert challenge.auth_session not in repr(challenge)
    options = challenge.authn_params_public_key
    assert options.rp is not None, options
    assert options.user is not None, options
    assert options.user.name == PAGE_EMAIL, options.user
    assert run.count("/passkey/register") == 1


async def _constructed(run: Run, ns: dict[str, Any]) -> None:
    client = ns["server_client"]
    assert client.config.client_id == ns["CLIENT_ID"], client.config


async def _mfa_completed(run: Run, ns: dict[str, Any]) -> None:
    saved = list(getattr(run, "saved_sessions", []))
    assert len(saved) == 1, saved
    assert saved[0]["access_token"], saved
    assert _claims(saved[0]["access_token"]).get("cnf"), "the MFA token is not DPoP-bound"
    assert ns["verify_response"].token_type == "DPoP", ns["verify_response"]
    user = await run.user_of(ns["server_client"])
    assert user == {}, "a session was written on the MFA path"


def passkey_specs() -> dict[str, Any]:
    spec = _specs_module().Spec
    s: dict[str, Any] = {}
    s["Passkeys.md#1"] = spec(
        "the page's constructor (a custom domain: the served tenant)",
        fills=(DOMAIN_FILL, *_specs_module().CONSTRUCTOR_FILLS[1:]),
        setup=pk_given(),
        check=_constructed,
    )
    s["Passkeys.md#2"] = spec(
        "a sign-up challenge with the page's profile: the auth_session and creation options",
        setup=pk_given(),
        check=_challenge_made_for_page,
    )
    s["Passkeys.md#3"] = spec(
        "sign-up: the browser's new credential verified, a session for the new user",
        setup=pk_given(challenged="signup"),
        check=_signed_in(printed="Signed up and logged in: auth0|"),
    )
    s["Passkeys.md#4"] = spec(
        "login: a login challenge, the browser's assertion verified, a session",
        setup=pk_given(signed_up=True),
        check=_signed_in(),
    )
    s["Passkeys.md#5"] = spec(
        "a DPoP-bound sign-in with a jwcrypto key: the session's token is bound",
        setup=pk_given(assertion=True),
        check=_signed_in(token_type="DPoP"),
    )
    s["Passkeys.md#6"] = spec(
        "MFA on a passkey login: challenged, verified with the same DPoP key, saved by the app",
        setup=pk_given(assertion=True, mfa=True),
        check=_mfa_completed,
    )
    s["Passkeys.md#7"] = spec(
        "sign-in with the basic error handling: no error, a session",
        setup=pk_given(assertion=True),
        check=_signed_in(),
    )
    s["Passkeys.md#8"] = spec(
        "sign-in with the advanced error handling: no error, a session",
        setup=pk_given(assertion=True),
        check=_signed_in(),
    )
    return s


async def _challenge_made_for_page(run: Run, ns: dict[str, Any]) -> None:
    await _challenge_made(run, ns)
    record = run.tenant.state.passkeys.ceremonies
    assert len(record) == 1, record
    (ceremony,) = record.values()
    assert ceremony.profile is not None
    assert ceremony.profile.get("phone_number") == "+15551234567", ceremony.profile
    assert ceremony.realm == "Username-Password-Authentication", ceremony.realm
