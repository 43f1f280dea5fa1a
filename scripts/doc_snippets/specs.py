"""What each Python block of the official docs is, how it is run and what is checked.

Keys are ``PAGE#N``: the N-th fenced Python block of the page (README.md or examples/PAGE).
The blocks themselves are read from the official repository at run time, never copied here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Any, NamedTuple

import auth0_anyio

from .harness import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    CUSTOMER_SUBJECT,
    JWT_CLIENT_ID,
    MCP_TOKEN,
    PRIVATE_PEM,
    SECRET,
    Run,
)
from .specs_embedded import mfa_specs, passwordless_specs
from .specs_passkeys import passkey_specs

Step = Callable[[Run, dict[str, Any]], Awaitable[None]]


class NotRun(NamedTuple):
    category: str
    why: str


class Typo(NamedTuple):
    """A typo of the docs, fixed before the block runs: ``old`` must be in it exactly once."""

    key: str
    line: int  # the page's line
    old: str
    new: str
    why: str


class Spec(NamedTuple):
    purpose: str = ""
    not_run: NotRun | None = None
    setup: Step | None = None
    check: Step | None = None
    fills: tuple[tuple[str, str], ...] = ()
    sync_reason: str = ""  # non-empty: not run on the sync client, and why
    feature: str = ""  # not run while the facade lacks this feature
    # A documented, deliberate difference: the block is run and must raise this (the text
    # ``Type: message`` contains it); why, with where it is documented.
    differs: tuple[str, str] | tuple[()] = ()


TYPOS = [
    Typo("InteractiveLogin.md#1", 14, "from auth_server.server_client import",
         "from auth0_server_python.auth_server.server_client import",
         "the package name is missing from the import"),
    Typo("InteractiveLogin.md#8", 114,
         "authorization_url = await server_client.start_interactive_login({\n", "",
         "an unclosed call left over from the block before (SyntaxError)"),
    Typo("UserLinking.md#1", 14, '"redirect_uri"="http', '"redirect_uri": "http',
         "`=` for `:` in a dict literal (SyntaxError)"),
    Typo("UserLinking.md#2", 52, '"http://localhost:3000/auth/callback"\n',
         '"http://localhost:3000/auth/callback",\n', "a missing comma (SyntaxError)"),
    Typo("UserLinking.md#3", 71, "});\n", "", "a JavaScript `});` closing line"),
    Typo("ConnectedAccounts.md#4", 74, 'redirect_uri="CALLBACK_URL"\n',
         'redirect_uri="CALLBACK_URL",\n', "a missing comma (SyntaxError)"),
    Typo("ConnectedAccounts.md#4", 77, '        }\n        scopes=', '        },\n        scopes=',
         "a missing comma (SyntaxError)"),
    Typo("ConnectedAccounts.md#4", 83, '        ]\n        authorization_params=',
         '        ],\n        authorization_params=', "a missing comma (SyntaxError)"),
    Typo("ConnectedAccounts.md#12", 233, '"scope" {', '"scope": {',
         "a missing colon (SyntaxError)"),
]  # fmt: skip

# --- the reasons a block is not run --------------------------------------------------------

FRAGMENT = "not a runnable snippet: a fragment"
FRAMEWORK = "not a runnable snippet: a web framework's route or app"
OTHER_SDK = "not this SDK: auth0-fastapi's AuthClient"
STORE_SCRIPT = "run by scripts/official_store_examples.py (needs redis-server / PostgreSQL)"
NEEDS_SESSION = "not runnable alone: uses a session in the client it has just constructed"
NEEDS_DATABASE = "not runnable here: the resolver queries a database server"


def not_yet(feature: str, *, gate: str = "") -> Spec:
    return Spec(not_run=None if gate else NotRun(f"feature not implemented yet: {feature}", ""),
                feature=gate or "")  # fmt: skip


def skip(category: str, why: str) -> Spec:
    return Spec(not_run=NotRun(category, why))


FEATURES: dict[str, Callable[[], bool]] = {
    "Custom Token Exchange": lambda: hasattr(auth0_anyio.ServerClient, "custom_token_exchange"),
    "Session Transfer Tokens": lambda: hasattr(
        auth0_anyio.ServerClient, "request_session_transfer_token"
    ),
    "multiple custom domains (a domain resolver)": lambda: _accepts_resolver(),
}


def _accepts_resolver() -> bool:
    async def resolver(context: Any) -> str:
        return "tenant.example"

    try:
        auth0_anyio.ServerClient(domain=resolver, client_id="x", client_secret="x", secret=SECRET)
    except Exception:  # refused: the feature is not there
        return False
    return True


def feature_gate(spec: Spec) -> NotRun | None:
    if not spec.feature:
        return None
    if not FEATURES[spec.feature]():
        return NotRun(f"feature not implemented yet: {spec.feature}", "")
    return NotRun(
        f"feature now in the SDK, no run written yet: {spec.feature}",
        "the script only has a NOT RUN entry for this block",
    )


# --- placeholders ----------------------------------------------------------------------------

CONSTRUCTOR_FILLS = (
    ('"YOUR_AUTH0_DOMAIN"', "TENANT_DOMAIN"),
    ('"YOUR_CLIENT_ID"', "CLIENT_ID"),
    ('"YOUR_CLIENT_SECRET"', "CLIENT_SECRET"),
    ('"YOUR_SECRET"', "SECRET"),
)
README_FILLS = (
    ("'<AUTH0_DOMAIN>'", "TENANT_DOMAIN"),
    ("'<AUTH0_CLIENT_ID>'", "CLIENT_ID"),
    ("'<AUTH0_SECRET>'", "SECRET"),
    ("'<AUTH0_REDIRECT_URI>'", "CALLBACK"),
)
ELLIPSIS_FILL = ("    ...\n", "    **YOUR_OTHER_ARGUMENTS,\n")  # ServerClient(...): the rest


def constants(run: Run) -> dict[str, Any]:
    return {
        "TENANT_DOMAIN": run.base,
        "TENANT_B": run.base_b,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "SECRET": SECRET,
        "CALLBACK": CALLBACK,
        "JWT_CLIENT_ID": JWT_CLIENT_ID,
    }


# --- setups ----------------------------------------------------------------------------------


def given(
    *names: str,
    login: str = "",
    client: dict[str, Any] | None = None,
    preload: Callable[[Run], dict[str, Any]] | None = None,
    then: Step | None = None,
) -> Step:
    """The page's client under ``names`` (``self`` gets ``.client``), logged in first when
    ``login`` is ``"cookies"`` (through request/response) or ``"memory"`` (no store options:
    the client's in-memory stores); ``preload`` the other names the page defined elsewhere."""

    async def setup(run: Run, ns: dict[str, Any]) -> None:
        ns.update(constants(run))
        made = run.client(**(client or {}))
        for name in names or ("server_client",):
            if name == "self":
                ns["self"] = type("PageObject", (), {"client": made})()
            else:
                ns[name] = made
        ns["the_client"] = made
        ns["ServerClient"] = type(made)  # imported in an earlier block of the page
        ns["store_options"] = run.store()
        ns["print"] = run_print(run)
        if login:
            ns["login_result"] = await run.login(made, store=login == "cookies")
        if preload is not None:
            ns.update(preload(run))
        if then is not None:
            await then(run, ns)

    return setup


def run_print(run: Run) -> Callable[..., None]:
    printed: list[str] = []
    run.printed = printed  # type: ignore[attr-defined]

    def capture(*values: Any, **_: Any) -> None:
        printed.append(" ".join(str(v) for v in values))

    return capture


def printed(run: Run) -> list[str]:
    return list(getattr(run, "printed", []))


def start_then_callback(
    method: str, options: Any, *names: str, user: str = "alice", store: bool = True
) -> Step:
    """The setup starts ``method`` (a login or link flow); ``names`` read by the block are
    the callback of the browser at that URL."""

    async def step(run: Run, ns: dict[str, Any]) -> None:
        store_options = run.store() if store else None
        run.pending_url = await run.call(ns["the_client"], method, options, store_options)
        run.callback_later(*names, user=user)

    return step


async def link_google(run: Run, ns: dict[str, Any]) -> None:
    """Alice has her Google account linked (what an unlink needs)."""
    client = ns["the_client"]
    url = await run.call(client, "start_link_user", {"connection": "google-oauth2"}, run.store())
    await run.call(client, "complete_link_user", run.browser(url, "google"), run.store())
    assert len(identities(run)) == 2


def identities(run: Run) -> list[str]:
    user = run.tenant.user("auth0|alice")
    assert user is not None
    return [f"{i['provider']}|{i['user_id']}" for i in user["identities"]]


def then_all(*steps: Step) -> Step:
    async def step(run: Run, ns: dict[str, Any]) -> None:
        for each in steps:
            await each(run, ns)

    return step


# --- checks ----------------------------------------------------------------------------------


def logs_in_with(name: str, options: Any = None, store: bool = True) -> Step:
    """The client the block built logs alice in at the tenant: code exchanged, session user."""

    async def check(run: Run, ns: dict[str, Any]) -> None:
        client = ns[name]
        assert client.__class__.__name__ == "ServerClient", type(client)
        before = run.count("/oauth/token", "authorization_code")
        result = await run.login(client, options, store=store)
        assert run.count("/oauth/token", "authorization_code") == before + 1
        assert result["state_data"]["user"]["sub"] == "auth0|alice"
        assert (await run.user_of(client, store))["sub"] == "auth0|alice"

    return check


def authorize_url(name: str, *, browse: bool = True, **expected: str) -> Step:
    """``ns[name]`` is the tenant's /authorize with ``expected``; the tenant's login page
    accepts it (a browser gets a callback with a code)."""

    async def check(run: Run, ns: dict[str, Any]) -> None:
        run.authorize_query(ns[name], client_id=CLIENT_ID, **expected)
        if browse:
            assert "code=" in run.browser(ns[name])

    return check


def par_url(name: str) -> Step:
    async def check(run: Run, ns: dict[str, Any]) -> None:
        assert run.count("/oauth/par") == 1, "the tenant saw no pushed authorization request"
        query = run.authorize_query(ns[name], client_id=CLIENT_ID)
        assert "request_uri" in query
        assert "state" not in query
        assert "code=" in run.browser(ns[name])

    return check


def session_of_alice(store: bool = True, name: str = "the_client") -> Step:
    async def check(run: Run, ns: dict[str, Any]) -> None:
        assert run.count("/oauth/token", "authorization_code") >= 1
        assert (await run.user_of(ns[name], store))["sub"] == "auth0|alice"

    return check


def prints(*expected: str) -> Step:
    async def check(run: Run, ns: dict[str, Any]) -> None:
        seen = printed(run)
        assert list(expected) == seen[: len(expected)], f"printed {seen}"

    return check


def both(*checks: Step) -> Step:
    async def check(run: Run, ns: dict[str, Any]) -> None:
        for each in checks:
            await each(run, ns)

    return check


def value_is(name: str, predicate: Callable[[Any], bool], what: str) -> Step:
    async def check(run: Run, ns: dict[str, Any]) -> None:
        assert predicate(ns.get(name)), f"{name} is not {what}: {ns.get(name)!r}"

    return check


def token_of_session(name: str, store: bool) -> Step:
    """``ns[name]`` is the session's access token (no new token request)."""

    async def check(run: Run, ns: dict[str, Any]) -> None:
        session = await run.call(ns["the_client"], "get_session", run.store() if store else None)
        tokens = [t["access_token"] for t in session["token_sets"]]
        assert ns[name] in tokens, f"{name} is not the session's token"
        assert run.count("/oauth/token", "refresh_token") == 0

    return check


def my_account(run: Run, suffix: str) -> int:
    return sum(
        1 for e in run.tenant.log if e.path.startswith("/me/v1/") and e.path.endswith(suffix)
    )


def unlinked(run: Run, ns: dict[str, Any]) -> Awaitable[None]:
    async def check() -> None:
        assert identities(run) == ["auth0|alice"], identities(run)

    return check()


# --- every block -----------------------------------------------------------------------------

LOGIN_AGAIN = {"authorization_params": {"redirect_uri": CALLBACK}}
CIBA_NOT_SYNC = "defines an `async def` function to await (an asyncio/trio app's code)"


def ciba_approved(run: Run, ns: dict[str, Any]) -> Awaitable[None]:
    run.approve_ciba()

    async def done() -> None:
        return None

    return done()


async def ciba_check(run: Run, ns: dict[str, Any]) -> None:
    assert run.count("/bc-authorize") == 1, "the tenant saw no CIBA request"
    assert run.count("/oauth/token", "urn:openid:params:grant-type:ciba") >= 1


async def ciba_1_check(run: Run, ns: dict[str, Any]) -> None:
    result = await ns["authenticate_via_backchannel"]()
    assert result is not None, f"the page's function failed: {printed(run)}"
    await ciba_check(run, ns)
    assert printed(run)[0] == "User authenticated successfully", printed(run)


async def ciba_2_check(run: Run, ns: dict[str, Any]) -> None:
    await ciba_check(run, ns)
    assert (await run.user_of(ns["auth0"], store=False))["sub"] == "auth0|alice"


async def connect_started(run: Run, ns: dict[str, Any]) -> None:
    assert my_account(run, "/connected-accounts/connect") == 1, "no connect request"
    url = ns["connect_url"]
    assert str(url).startswith(run.base), url
    assert "connect_code=" in run.consent(url)


async def connect_completed(run: Run, ns: dict[str, Any]) -> None:
    assert my_account(run, "/connected-accounts/complete") == 1, "no complete request"
    assert ns["complete_response"].connection == "google-oauth2", ns["complete_response"]


async def setup_connect(run: Run, ns: dict[str, Any]) -> None:
    options = {"connection": "google-oauth2", "redirect_uri": CALLBACK}
    url = await run.call(ns["the_client"], "start_connect_account", options, run.store())
    ns["connect_account_full_callback_url"] = run.consent(url)


async def cursor_of_connections(run: Run, ns: dict[str, Any]) -> None:
    page = await run.call(
        ns["the_client"], "list_connected_account_connections", take=1, store_options=run.store()
    )
    ns["THE_NEXT_VALUE"] = page.next


async def cursor_of_accounts(run: Run, ns: dict[str, Any]) -> None:
    client = ns["the_client"]
    await setup_connect(run, ns)  # a second Google account: two pages of one
    url = ns.pop("connect_account_full_callback_url")
    await run.call(client, "complete_connect_account", url, run.store())
    page = await run.call(
        client, "list_connected_accounts", connection="google-oauth2", take=1,
        store_options=run.store(),
    )  # fmt: skip
    ns["THE_NEXT_VALUE"] = page.next


async def listed_connections(run: Run, ns: dict[str, Any]) -> None:
    found = ns["available_connections"]
    assert my_account(run, "/connected-accounts/connections") == 2
    assert found.connections, found


async def listed_accounts(run: Run, ns: dict[str, Any]) -> None:
    found = ns["connected_accounts"]
    assert my_account(run, "/connected-accounts/accounts") == 2
    assert [a.connection for a in found.accounts] == ["google-oauth2"], found


async def account_id(run: Run, ns: dict[str, Any]) -> None:
    page = await run.call(ns["the_client"], "list_connected_accounts", store_options=run.store())
    ns["THE_ACCOUNT_ID"] = page.accounts[0].id


async def deleted(run: Run, ns: dict[str, Any]) -> None:
    page = await run.call(ns["the_client"], "list_connected_accounts", store_options=run.store())
    assert all(a.id != ns["THE_ACCOUNT_ID"] for a in page.accounts), page


async def connect_or_error(run: Run, ns: dict[str, Any]) -> None:
    assert my_account(run, "/connected-accounts/connect") == 1, "no connect request"
    url, answer = ns.get("connect_url"), ns.get("__return__")
    assert (url and str(url).startswith(run.base)) or (answer and "error" in answer), (url, answer)


async def my_account_token(run: Run, ns: dict[str, Any]) -> None:
    client = ns["server_client"]
    await run.login(client, LOGIN_AGAIN)
    token = await run.call(client, "get_access_token", run.store(), audience=f"{run.base}/me/")
    assert token
    assert run.count("/oauth/token", "refresh_token") == 1
    granted = run.tenant.log[-1]
    assert granted.grant_type == "refresh_token", granted


async def audiences_check(run: Run, ns: dict[str, Any]) -> None:
    assert all(ns[n] for n in ("default_token", "data_token", "admin_token"))
    assert len({ns["default_token"], ns["data_token"], ns["admin_token"]}) == 3
    assert run.count("/oauth/token", "refresh_token") == 2  # analytics, then more scope


async def preloaded_session_store(run: Run, ns: dict[str, Any]) -> None:
    """``ServerClient(...)``: the page's other arguments, including where the logged-in
    user's session is (a store shared with the app's login)."""
    from auth0_core.stores import MemoryStateStore

    shared = MemoryStateStore()
    login_client = run.client(
        state_store=shared,
        authorization_params={
            "audience": "https://api.example.com",
            "redirect_uri": CALLBACK,
            "scope": {
                "https://api.example.com": "openid email profile offline_access",
                "https://analytics.example.com": "read:analytics write:analytics",
            },
        },
    )
    await run.login(login_client, store=False)
    ns["YOUR_OTHER_ARGUMENTS"] = {
        "domain": run.base,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "secret": SECRET,
        "state_store": shared,
    }


def other_arguments(run: Run) -> dict[str, Any]:
    return {
        "YOUR_OTHER_ARGUMENTS": {
            "domain": run.base,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "secret": SECRET,
        }
    }


async def private_key_file(run: Run, ns: dict[str, Any]) -> None:
    """The page's ``private_key.pem``, in a directory the block runs in."""
    import builtins

    real_open = builtins.open

    def page_open(name: str, *args: Any, **kwargs: Any) -> Any:
        assert name == "private_key.pem", name
        import io

        return io.StringIO(PRIVATE_PEM)

    ns["open"] = page_open
    del real_open


async def linked_google(run: Run, ns: dict[str, Any]) -> None:
    assert identities(run) == ["auth0|alice", "google-oauth2|1001"], identities(run)


async def linked_bob(run: Run, ns: dict[str, Any]) -> None:
    assert identities(run) == ["auth0|alice", "auth0|bob"], identities(run)


LINK_OPTIONS = {
    "connection": "google-oauth2",
    "connection_scope": "https://www.googleapis.com/auth/calendar.readonly",
    "authorization_params": {"redirect_uri": CALLBACK},
    "app_state": {"returnTo": "http://localhost:3000"},
}  # UserLinking.md#1's options, placeholders filled: the `options` of #5 and #7
UNLINK_OPTIONS = {
    "connection": "google-oauth2",
    "authorization_params": {"redirect_uri": CALLBACK},
    "app_state": {"returnTo": "http://localhost:3000/profile"},
}  # UserLinking.md#8's options: the `options` of #11


def link_url(name: str, **expected: str) -> Step:
    async def check(run: Run, ns: dict[str, Any]) -> None:
        query = run.authorize_query(ns[name], client_id=CLIENT_ID, **expected)
        assert "id_token_hint" in query or "request_uri" in query, query

    return check


def _specs() -> dict[str, Spec]:
    s: dict[str, Spec] = {}
    # README.md
    s["README.md#1"] = Spec(
        "the constructor (client secret): that client logs alice in",
        fills=(*README_FILLS, ("'<AUTH0_CLIENT_SECRET>'", "CLIENT_SECRET")),
        setup=given(preload=constants),
        check=logs_in_with("auth0"),
    )
    s["README.md#2"] = Spec(
        "the constructor (private_key_jwt): that client logs alice in, with no secret",
        fills=(
            ("'<AUTH0_DOMAIN>'", "TENANT_DOMAIN"),
            ("'<AUTH0_CLIENT_ID>'", "JWT_CLIENT_ID"),
            ("'<AUTH0_SECRET>'", "SECRET"),
            ("'<AUTH0_REDIRECT_URI>'", "CALLBACK"),
        ),
        setup=given(preload=constants, then=private_key_file),
        check=logs_in_with("auth0"),
    )
    s["README.md#3"] = skip(FRAGMENT, "ServerClient(# ... redirect_uri=...) elides the rest")
    s["README.md#4"] = skip(FRAMEWORK, "a FastAPI app and route")
    s["README.md#5"] = skip(FRAMEWORK, "a FastAPI route")
    s.update(_custom_token_exchange_specs())
    s.update(_custom_domain_specs())
    # InteractiveLogin.md
    s["InteractiveLogin.md#1"] = Spec(
        "the constructor: that client logs alice in",
        fills=CONSTRUCTOR_FILLS,
        setup=given(preload=constants),
        check=logs_in_with("server_client"),
    )
    s["InteractiveLogin.md#2"] = Spec(
        "start_interactive_login(): the tenant's /authorize, accepted",
        setup=given(),
        check=authorize_url("authorization_url", redirect_uri=CALLBACK),
    )
    s["InteractiveLogin.md#3"] = Spec(
        "constructor with redirect_uri, scope, audience: in the authorize URL",
        fills=(*CONSTRUCTOR_FILLS, ('" your scopes"', '"openid profile email offline_access"')),
        setup=given(preload=constants),
        check=both(
            _start_into("server_client", "url"),
            authorize_url(
                "url",
                redirect_uri=CALLBACK,
                audience="urn:custom:api",
                scope="openid profile email offline_access",
            ),
        ),
    )
    s["InteractiveLogin.md#4"] = Spec(
        "authorization_params (and a custom one) in the authorize URL",
        setup=given(),
        check=authorize_url(
            "authorization_url", scope="openid profile email", audience="urn:custom:api", foo="bar"
        ),
    )
    s["InteractiveLogin.md#5"] = Spec(
        "app_state round trip: login completed, returnTo printed",
        setup=given(then=_later("callback_url", url_name="authorize_url")),
        check=both(session_of_alice(store=False), prints("http://localhost:3000/dashboard")),
    )
    s["InteractiveLogin.md#6"] = Spec(
        "PAR per call: the tenant saw /oauth/par", setup=given(), check=par_url("authorization_url")
    )
    s["InteractiveLogin.md#7"] = Spec(
        "PAR with authorization_details: the tenant saw /oauth/par",
        setup=given(),
        check=par_url("authorization_url"),
    )
    s["InteractiveLogin.md#8"] = Spec(
        "complete after a RAR login: session, authorization_details printed",
        setup=given(
            then=start_then_callback(
                "start_interactive_login",
                {
                    "pushed_authorization_requests": True,
                    "authorization_params": {"authorization_details": '[{"type": "your_type"}]'},
                },
                "callback_url",
                store=False,
            )
        ),
        check=both(session_of_alice(store=False), _printed_count(1)),
    )
    s["InteractiveLogin.md#9"] = Spec(
        "start with store_options: authorize URL, transaction cookie set",
        setup=given(),
        check=both(authorize_url("authorization_url"), _cookie_set),
    )
    s["InteractiveLogin.md#10"] = Spec(
        "complete with store_options: session cookie holds alice; app_state printed",
        setup=given(
            then=start_then_callback(
                "start_interactive_login",
                {"app_state": {"returnTo": "http://localhost:3000/x"}},
                "callback_url",
            )
        ),
        check=both(session_of_alice(), prints("http://localhost:3000/x")),
    )
    s["InteractiveLogin.md#11"] = Spec(
        "organization (client-wide and per call) in the authorize URL",
        fills=CONSTRUCTOR_FILLS,
        setup=given(preload=constants),
        check=authorize_url("authorization_url", organization="org_xyz789"),
    )
    s["InteractiveLogin.md#12"] = skip(FRAMEWORK, "a FastAPI route")
    s["InteractiveLogin.md#13"] = skip(FRAMEWORK, "a FastAPI route")
    s["InteractiveLogin.md#14"] = Spec(
        "get_user after an organization login: org_id printed",
        setup=given("auth0", then=_org_login),
        check=prints("org_abc123"),
    )
    # RetrievingData.md
    s["RetrievingData.md#1"] = Spec(
        "get_user(): alice", setup=given(login="memory"), check=_user_is("user")
    )
    s["RetrievingData.md#2"] = Spec(
        "get_user(store_options) (the page's store_options are empty): alice",
        setup=given(login="memory"),
        check=_user_is("user"),
    )
    s["RetrievingData.md#3"] = Spec(
        "get_session(): alice's session", setup=given(login="memory"), check=_session_is("session")
    )
    s["RetrievingData.md#4"] = Spec(
        "get_session(store_options={}): alice's session",
        setup=given(login="memory"),
        check=_session_is("session"),
    )
    s["RetrievingData.md#5"] = Spec(
        "get_access_token(): the session's token",
        setup=given(login="memory"),
        check=token_of_session("access_token", store=False),
    )
    s["RetrievingData.md#6"] = Spec(
        "get_access_token(store_options={}): the session's token",
        setup=given(login="memory"),
        check=token_of_session("access_token", store=False),
    )
    s["RetrievingData.md#7"] = Spec(
        "get_access_token in try/except AccessTokenError: the session's token",
        setup=given(login="cookies"),
        check=token_of_session("access_token", store=True),
    )
    s["RetrievingData.md#8"] = Spec(
        "complete_interactive_login in try/except SessionExpiredError: session",
        setup=given(then=start_then_callback("start_interactive_login", None, "url")),
        check=session_of_alice(),
    )
    s["RetrievingData.md#9"] = Spec(
        "get_user, session_expiry read", setup=given(login="cookies"), check=_user_is("user")
    )
    s["RetrievingData.md#10"] = Spec(
        "constructor with a scope per audience: the default audience's scope in the URL",
        fills=(ELLIPSIS_FILL,),
        setup=given(preload=other_arguments),
        check=both(
            _start_into("server_client", "url"),
            authorize_url(
                "url",
                audience="https://api.example.com",
                scope="openid profile email offline_access read:products read:orders",
            ),
        ),
    )
    s["RetrievingData.md#11"] = Spec(
        "a token per audience and scope from one session: two refresh grants",
        fills=(ELLIPSIS_FILL,),
        setup=given(then=preloaded_session_store),
        check=audiences_check,
    )
    s["RetrievingData.md#12"] = Spec(
        "constructor with broad default scopes: in the authorize URL",
        fills=(ELLIPSIS_FILL,),
        setup=given(preload=other_arguments),
        check=both(
            _start_into("server_client", "url"),
            authorize_url(
                "url",
                audience="https://api.example.com",
                scope="openid profile email offline_access read:products read:orders read:users",
            ),
        ),
    )
    s["RetrievingData.md#13"] = Spec(
        "get_access_token(audience), then with more scope: the second is a refresh grant",
        setup=given(
            login="memory",
            client={
                "authorization_params": {
                    "redirect_uri": CALLBACK,
                    "audience": "https://api.example.com",
                }
            },
        ),
        check=_two_tokens,
    )
    s["RetrievingData.md#14"] = Spec(
        "get_access_token_for_connection: the Token Vault exchange",
        setup=given(login="memory"),
        check=_vault("access_token_for_google"),
    )
    s["RetrievingData.md#15"] = Spec(
        "get_access_token_for_connection with store_options={}: the Token Vault exchange",
        setup=given(
            login="memory",
            preload=lambda run: {"connection_options": {"connection": "google-oauth2"}},
        ),
        check=_vault("access_token_for_google"),
    )
    # UserLinking.md
    s["UserLinking.md#1"] = skip(
        NEEDS_SESSION, "constructs a client, then start_link_user needs a logged-in user in it"
    )
    s["UserLinking.md#2"] = Spec(
        "constructor (indented in the page): that client logs alice in",
        fills=CONSTRUCTOR_FILLS,
        setup=given(preload=constants),
        check=logs_in_with("server_client"),
    )
    s["UserLinking.md#3"] = Spec(
        "start_link_user with authorization_params: link URL with them",
        setup=given(login="cookies"),
        check=link_url(
            "link_user_url", scope="openid link_account", audience="urn:another:api", foo="bar"
        ),
    )
    s["UserLinking.md#4"] = Spec(
        "link round trip with app_state: bob linked to alice, return_to printed",
        setup=given(
            login="cookies", then=_later("callback_url", url_name="link_user_url", user="bob")
        ),
        differs=(
            "Missing required parameter: requested_connection",
            "the block calls start_link_user without `connection`, required in practice "
            "(protocol doc §5.1): we omit the absent parameter and the tenant refuses the link "
            "page; the official SDK sends requested_connection=None (the text), no connection",
        ),
    )
    s["UserLinking.md#5"] = Spec(
        "start_link_user with the page's options: link URL asks google-oauth2",
        setup=given(login="cookies", preload=lambda run: {"options": LINK_OPTIONS}),
        check=link_url(
            "link_user_url", scope="openid link_account", requested_connection="google-oauth2"
        ),
    )
    s["UserLinking.md#6"] = Spec(
        "complete_link_user: bob linked, appState's return_to printed",
        setup=given(
            login="cookies",
            then=start_then_callback(
                "start_link_user",
                {
                    "connection": "google-oauth2",
                    "app_state": {"return_to": "http://localhost:3000/y"},
                },
                "callback_url",
                user="google",
            ),
        ),
        check=both(linked_google, prints("http://localhost:3000/y")),
    )
    s["UserLinking.md#7"] = Spec(
        "start_link_user with the page's options (again): link URL",
        setup=given(login="cookies", preload=lambda run: {"options": LINK_OPTIONS}),
        check=link_url("link_user_url", scope="openid link_account"),
    )
    s["UserLinking.md#8"] = Spec(
        "start_unlink_user: unlink URL for google-oauth2",
        setup=given(login="cookies"),
        check=link_url(
            "unlink_user_url", scope="openid unlink_account", requested_connection="google-oauth2"
        ),
    )
    s["UserLinking.md#9"] = Spec(
        "start_unlink_user with an audience: in the unlink URL",
        setup=given(login="cookies"),
        check=link_url("unlink_user_url", scope="openid unlink_account", audience="urn:custom:api"),
    )
    s["UserLinking.md#10"] = Spec(
        "unlink round trip: google-oauth2 unlinked, return_to printed",
        setup=given(
            login="cookies",
            then=then_all(
                link_google, _later("callback_url", url_name="unlink_user_url", user="nobody")
            ),
        ),
        check=both(unlinked, prints("http://localhost:3000/profile")),
    )
    s["UserLinking.md#11"] = Spec(
        "start_unlink_user with the page's options: unlink URL",
        setup=given(login="cookies", preload=lambda run: {"options": UNLINK_OPTIONS}),
        check=link_url("unlink_user_url", scope="openid unlink_account"),
    )
    s["UserLinking.md#12"] = Spec(
        "complete_unlink_user: unlinked, return_to printed",
        setup=given(
            login="cookies",
            then=then_all(
                link_google,
                start_then_callback(
                    "start_unlink_user",
                    {
                        "connection": "google-oauth2",
                        "app_state": {"return_to": "http://localhost:3000/z"},
                    },
                    "callback_url",
                    user="nobody",
                ),
            ),
        ),
        check=both(unlinked, prints("http://localhost:3000/z")),
    )
    s["UserLinking.md#13"] = Spec(
        "complete_unlink_user with store_options: unlinked",
        setup=given(
            login="cookies",
            then=then_all(
                link_google,
                start_then_callback(
                    "start_unlink_user",
                    {"connection": "google-oauth2"},
                    "callback_url",
                    user="nobody",
                ),
            ),
        ),
        check=unlinked,
    )
    # ConnectedAccounts.md
    s["ConnectedAccounts.md#1"] = Spec(
        "constructor with no redirect_uri: a login passing one works",
        fills=CONSTRUCTOR_FILLS,
        setup=given(preload=constants),
        check=logs_in_with("server_client", LOGIN_AGAIN),
    )
    s["ConnectedAccounts.md#2"] = Spec(
        "login for connected accounts: audience, scope, redirect_uri in the URL",
        fills=(('"CALLBACK_URL"', "CALLBACK"),),
        setup=given(),
        check=authorize_url(
            "authorization_url",
            audience="https://custom-api.com",
            scope="offline_access openid profile email read:foo",
            redirect_uri=CALLBACK,
        ),
    )
    s["ConnectedAccounts.md#3"] = Spec(
        "complete_interactive_login(full_callback_url): alice's session",
        setup=given(then=start_then_callback("start_interactive_login", None, "full_callback_url")),
        check=session_of_alice(),
    )
    s["ConnectedAccounts.md#4"] = Spec(
        "start_connect_account: the tenant saw /connect; its page accepts the URL",
        fills=(('"CALLBACK_URL"', "CALLBACK"), ('"SOME_URL"', '"http://localhost:3000/"')),
        setup=given("self", login="cookies", preload=_options_class),
        check=connect_started,
    )
    s["ConnectedAccounts.md#5"] = Spec(
        "complete_connect_account: the tenant saw /complete",
        setup=given("self", login="cookies", then=setup_connect),
        check=connect_completed,
    )
    s["ConnectedAccounts.md#6"] = Spec(
        "get_access_token_for_connection(google-oauth2): the Token Vault exchange",
        setup=given(login="cookies"),
        check=_vault("access_token_for_google"),
    )
    s["ConnectedAccounts.md#7"] = Spec(
        "list_connected_account_connections, page 2",
        setup=given("client", login="cookies", then=cursor_of_connections),
        fills=(('"NEXT_VALUE_FROM_PREVIOUS_RESPONSE"', "THE_NEXT_VALUE"),),
        check=listed_connections,
    )
    s["ConnectedAccounts.md#8"] = Spec(
        "list_connected_accounts(google-oauth2), page 2",
        setup=given("client", login="cookies", then=cursor_of_accounts),
        fills=(('"NEXT_VALUE_FROM_PREVIOUS_RESPONSE"', "THE_NEXT_VALUE"),),
        check=listed_accounts,
    )
    s["ConnectedAccounts.md#9"] = Spec(
        "delete_connected_account: gone from the list",
        setup=given("client", login="cookies", then=account_id),
        fills=(('"CONNECTED_ACCOUNT_ID"', "THE_ACCOUNT_ID"),),
        check=deleted,
    )
    s["ConnectedAccounts.md#10"] = Spec(
        "start_connect_account in try/except Auth0Error: connect URL or the error dict",
        fills=(('"https://example.com/callback"', "CALLBACK"),),
        setup=given("client", login="cookies", preload=_options_class),
        check=connect_or_error,
    )
    s["ConnectedAccounts.md#11"] = Spec(
        "start_connect_account in try/except MyAccountApiError: connect URL or error dict",
        fills=(('"https://example.com/callback"', "CALLBACK"),),
        setup=given("client", login="cookies", preload=_options_class),
        check=connect_or_error,
    )
    s["ConnectedAccounts.md#12"] = Spec(
        "constructor with My Account scopes: a My Account token by refresh",
        fills=(*CONSTRUCTOR_FILLS, ('"https://YOUR_AUTH0_DOMAIN/me/"', 'TENANT_DOMAIN + "/me/"')),
        setup=given(preload=constants),
        check=my_account_token,
    )
    # ClientInitiatedBackChannelLogin.md
    s["ClientInitiatedBackChannelLogin.md#1"] = Spec(
        "the page's CIBA function: approved on the phone, result returned",
        fills=(*CONSTRUCTOR_FILLS, ('{"sub": "user-id"}', '{"sub": "auth0|alice"}')),
        setup=given(preload=constants, then=ciba_approved),
        check=ciba_1_check,
        sync_reason=CIBA_NOT_SYNC,
    )
    s["ClientInitiatedBackChannelLogin.md#2"] = Spec(
        "login_backchannel with authorization_details: session of alice",
        fills=(
            ('"<binding_message>"', '"Login to Example App"'),
            ('"auth0|123456789"', '"auth0|alice"'),
            ('"<type>"', '"payment_initiation"'),
        ),
        setup=given("auth0", preload=lambda run: {"json": __import__("json")}, then=ciba_approved),
        differs=(
            "InvalidArgumentError: authorization_details needs an audience",
            "neither the block nor the page's client sets an audience; Auth0 requires one with "
            "authorization_details (protocol doc §8.3, and the page's own IMPORTANT note under "
            "the block): we refuse before sending, the official SDK sends and Auth0 answers 400",
        ),
    )
    s["ClientInitiatedBackChannelLogin.md#3"] = skip(
        FRAGMENT, "`{ /* ... */ }` elides the store options and `{}` the required login_hint"
    )
    s["ClientInitiatedBackChannelLogin.md#4"] = skip(FRAMEWORK, "a FastAPI app and route")
    # ConfigureStore.md
    for n in (1, 3, 6, 8):
        s[f"ConfigureStore.md#{n}"] = skip(OTHER_SDK, "auth0_fastapi's AuthClient / stores")
    s["ConfigureStore.md#2"] = skip(FRAGMENT, "a store skeleton: every method is `pass`")
    for n in (4, 9, 10, 11):
        s[f"ConfigureStore.md#{n}"] = skip(FRAMEWORK, "a FastAPI route of auth0-fastapi")
    s["ConfigureStore.md#5"] = skip(STORE_SCRIPT, "the Redis state store")
    s["ConfigureStore.md#7"] = skip(STORE_SCRIPT, "the PostgreSQL state store")
    # CustomTokenExchange.md
    s["CustomTokenExchange.md#8"] = skip(FRAGMENT, "a list of token-type strings")
    # MultipleCustomDomains.md
    s["MultipleCustomDomains.md#1"] = Spec(
        "constructor with a static domain: that client logs alice in",
        fills=(
            ('"login.yourapp.com"', "TENANT_DOMAIN"),
            ('"your_client_id"', "CLIENT_ID"),
            ('"your_client_secret"', "CLIENT_SECRET"),
            ('"your_encryption_secret"', "SECRET"),
        ),
        setup=given(preload=constants),
        check=logs_in_with("client", LOGIN_AGAIN),
    )
    s.update(mfa_specs())  # doc_snippets/specs_embedded.py
    s.update(passwordless_specs())
    s.update(passkey_specs())  # doc_snippets/specs_passkeys.py
    s.update(my_account_method_specs())
    return s


# --- MyAccountAuthenticationMethods.md -------------------------------------------------------

METHOD_SCOPES = "read:me:factors " + " ".join(
    f"{a}:me:authentication-methods" for a in ("read", "create", "update", "delete")
)


def my_account_ready(*, totp: bool = False, challenge: bool = False) -> Step:
    """Alice logged in, ``access_token`` (the My Account scopes, by MRRT) and ``my_account``
    as block 1 makes them; with ``totp`` a confirmed TOTP method (``THE_METHOD_ID``), with
    ``challenge`` a passkey enrollment under way as block 3 starts it and the browser's
    ``credential`` (``navigator.credentials.create()`` over its options: a
    :class:`~auth0_core.testing.passkeys.SoftwareAuthenticator`'s registration credential)."""

    async def setup(run: Run, ns: dict[str, Any]) -> None:
        await given(login="cookies")(run, ns)
        facade = import_module("auth0_requests" if run.mode == "sync" else "auth0_anyio")
        ns["YOUR_CUSTOM_DOMAIN"] = run.base
        ns["access_token"] = await run.call(
            ns["server_client"], "get_access_token", store_options=run.store(),
            audience=run.base + "/me/", scope=METHOD_SCOPES,
        )  # fmt: skip
        ns["my_account"] = my_account = facade.MyAccountClient(domain=run.base)
        # Imported by an earlier block of the page; redirect_to_login is the page's own.
        ns["EnrollAuthenticationMethodRequest"] = import_module(
            f"{facade.__name__}.auth_types"
        ).EnrollAuthenticationMethodRequest
        ns["redirect_to_login"] = lambda: {"login": True}
        if challenge:
            from auth0_core.testing.passkeys import SoftwareAuthenticator

            started = await run.call(
                my_account, "enroll_authentication_method",
                access_token=ns["access_token"], request={"type": "passkey"},
            )  # fmt: skip
            ns["challenge"] = started
            device = SoftwareAuthenticator()
            ns["credential"] = device.create(started.authn_params_public_key)
        if totp:
            from auth0_core.tenant.my_account.totp import secret_from_base32, totp_code

            started = await run.call(
                my_account, "enroll_authentication_method",
                access_token=ns["access_token"], request={"type": "totp"},
            )  # fmt: skip
            secret = secret_from_base32(started.manual_input_code)
            code = totp_code(secret, run.tenant.state.env.now())
            method = await run.call(
                my_account, "verify_authentication_method",
                access_token=ns["access_token"],
                authentication_method_id=started.authentication_method_id,
                request={"auth_session": started.auth_session, "otp_code": code},
            )  # fmt: skip
            ns["THE_METHOD_ID"] = method.id

    return setup


def _methods_of(run: Run) -> list[str]:
    store = run.tenant.state.authentication_methods
    return [m.id for m in store.methods("auth0|alice")]


async def my_account_made(run: Run, ns: dict[str, Any]) -> None:
    assert ns["my_account"].audience == run.base + "/me/"
    factors = await run.call(ns["my_account"], "get_factors", access_token=ns["access_token"])
    assert [f.type for f in factors.factors] == ["totp", "email", "phone", "passkey"]


async def factors_printed(run: Run, ns: dict[str, Any]) -> None:
    assert run.printed == [  # type: ignore[attr-defined]
        "totp ['secondary']",
        "email ['secondary']",
        "phone ['secondary']",
        "passkey ['primary']",
    ]


async def passkey_enrollment_started(run: Run, ns: dict[str, Any]) -> None:
    challenge = ns["challenge"]
    assert challenge.authentication_method_id.startswith("passkey|dev_")
    options = challenge.authn_params_public_key
    assert options.rp.id == run.tenant.state.passkeys.rp_id(run.base)
    assert options.user.id  # the user handle, base64url
    store = run.tenant.state.authentication_methods
    pending = store.enrollment("auth0|alice", challenge.authentication_method_id)
    assert pending is not None
    assert pending.auth_session == challenge.auth_session
    assert _methods_of(run) == []  # enrolled only once verified


async def passkey_enrolled(run: Run, ns: dict[str, Any]) -> None:
    method = ns["method"]
    assert (method.id, method.type) == (ns["challenge"].authentication_method_id, "passkey")
    assert printed(run) == [f"Enrolled: {method.id} (passkey)"]
    assert _methods_of(run) == [method.id]
    registered = run.tenant.state.passkeys.credentials
    assert [c.user_id for c in registered.values()] == ["auth0|alice"]
    assert method.key_id == ns["credential"]["rawId"]


async def passkey_enrollment_handled(run: Run, ns: dict[str, Any]) -> None:
    assert ns["__return__"] is None  # the enrollment started: nothing to handle
    store = run.tenant.state.authentication_methods
    assert store.methods("auth0|alice") == []


async def methods_listed(run: Run, ns: dict[str, Any]) -> None:
    assert len(ns["all_methods"].authentication_methods) == 1
    assert ns["passkeys"].authentication_methods == []


async def method_got(run: Run, ns: dict[str, Any]) -> None:
    assert ns["method"].id == ns["THE_METHOD_ID"]


async def method_renamed(run: Run, ns: dict[str, Any]) -> None:
    assert ns["method"].name == "My Authenticator App"
    stored = run.tenant.state.authentication_methods.get("auth0|alice", ns["THE_METHOD_ID"])
    assert stored is not None
    assert stored.name == "My Authenticator App"


async def method_deleted(run: Run, ns: dict[str, Any]) -> None:
    assert _methods_of(run) == []


async def basic_handling(run: Run, ns: dict[str, Any]) -> None:
    assert ns["__return__"] is None
    assert ns["methods"].authentication_methods == []


def my_account_method_specs() -> dict[str, Spec]:
    page = "MyAccountAuthenticationMethods.md"
    id_fill = "THE_METHOD_ID"
    return {
        f"{page}#1": Spec(
            "a My Account token by MRRT (hyphenated scopes) and MyAccountClient(domain)",
            fills=(('f"https://{YOUR_CUSTOM_DOMAIN}/me/"', 'YOUR_CUSTOM_DOMAIN + "/me/"'),),
            setup=my_account_ready(),
            check=my_account_made,
        ),
        f"{page}#2": Spec(
            "get_factors: totp, email, phone, passkey printed",
            setup=my_account_ready(),
            check=factors_printed,
        ),
        f"{page}#3": Spec(
            "enroll a passkey: 202, the method id from Location, the WebAuthn creation options",
            setup=my_account_ready(),
            check=passkey_enrollment_started,
        ),
        f"{page}#4": Spec(
            "verify the passkey enrollment with a software authenticator's registration "
            "credential: the method is the user's, its credential registered",
            setup=my_account_ready(challenge=True),
            check=passkey_enrolled,
        ),
        f"{page}#5": Spec(
            "list_authentication_methods, all and type_filter=passkey",
            setup=my_account_ready(totp=True),
            check=methods_listed,
        ),
        f"{page}#6": Spec(
            "get_authentication_method (the page's example id: alice's TOTP method)",
            fills=(('"passkey|abc123"', id_fill),),
            setup=my_account_ready(totp=True),
            check=method_got,
        ),
        f"{page}#7": Spec(
            "update_authentication_method: renamed",
            fills=(('"totp|123"', id_fill),),
            setup=my_account_ready(totp=True),
            check=method_renamed,
        ),
        f"{page}#8": Spec(
            "delete_authentication_method: gone",
            fills=(('"passkey|abc123"', id_fill),),
            setup=my_account_ready(totp=True),
            check=method_deleted,
        ),
        f"{page}#9": Spec(
            "a DPoP key made in the block: the token is not bound to it",
            setup=my_account_ready(),
            differs=(
                "MyAccountApiError",
                "the block generates its key after the token was issued, so the token is "
                "bound to no key of the block's: the tenant answers 401, as Auth0 would",
            ),
        ),
        f"{page}#10": Spec(
            "Auth0Error handling around list_authentication_methods",
            setup=my_account_ready(),
            check=basic_handling,
        ),
        f"{page}#11": Spec(
            "MyAccountApiError handling around a passkey enrollment: it starts, nothing to handle",
            setup=my_account_ready(),
            check=passkey_enrollment_handled,
        ),
    }


def _start_into(client_name: str, url_name: str) -> Step:
    async def step(run: Run, ns: dict[str, Any]) -> None:
        options = {"redirect_uri": CALLBACK}  # the block's authorization_params have none
        ns[url_name] = await run.call(ns[client_name], "start_interactive_login", options, None)

    return step


def _later(*names: str, url_name: str, user: str = "alice") -> Step:
    async def step(run: Run, ns: dict[str, Any]) -> None:
        run.callback_later(*names, user=user, url_name=url_name)

    return step


def _printed_count(count: int) -> Step:
    async def check(run: Run, ns: dict[str, Any]) -> None:
        assert len(printed(run)) == count, printed(run)

    return check


async def _cookie_set(run: Run, ns: dict[str, Any]) -> None:
    assert run.jar, "no transaction cookie set"


async def _org_login(run: Run, ns: dict[str, Any]) -> None:
    await run.login(ns["auth0"], {"organization": "org_abc123"})


def _user_is(name: str) -> Step:
    async def check(run: Run, ns: dict[str, Any]) -> None:
        assert (ns[name] or {}).get("sub") == "auth0|alice", ns[name]

    return check


def _session_is(name: str) -> Step:
    async def check(run: Run, ns: dict[str, Any]) -> None:
        assert ns[name]["user"]["sub"] == "auth0|alice", ns[name]
        assert ns[name]["refresh_token"], ns[name]

    return check


async def _two_tokens(run: Run, ns: dict[str, Any]) -> None:
    assert ns["token"]
    assert run.count("/oauth/token", "refresh_token") == 1


def _vault(name: str) -> Step:
    grant = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"

    async def check(run: Run, ns: dict[str, Any]) -> None:
        assert ns[name], ns[name]
        assert run.count("/oauth/token", grant) == 1, "the tenant saw no Token Vault exchange"

    return check


def _options_class(run: Run) -> dict[str, Any]:
    """``ConnectAccountOptions``, imported in an earlier block of the page."""
    module = "auth0_requests" if run.mode == "sync" else "auth0_anyio"
    return {
        "ConnectAccountOptions": import_module(f"{module}.auth_types").ConnectAccountOptions,
        "redirect_to_login": lambda: {"error": "login again"},
    }


# --- multiple custom domains (MultipleCustomDomains.md, README.md#8) ---------------------------
# Two tenants on loopback (A and B, two ports: two "custom domains"); the page's resolvers map
# app hosts to them. The pages' resolvers are `async def`: auth0_requests takes a sync resolver
# only (docs/custom-domains.md), so they run on asyncio and trio.

ASYNC_RESOLVER = "the page's resolver is an `async def`; auth0_requests takes sync resolvers only"
BRAND_1, BRAND_2 = "brand-1.yourapp.com", "brand-2.yourapp.com"
Case = tuple[dict[str, str], str, str]  # the app request's headers, its URL ("": default), A/B


def _mcd_names(run: Run, *, brands: bool = False, hosts: bool = True) -> dict[str, Any]:
    """What the page defines in its block #2 (``DOMAIN_MAP``, ``DEFAULT_DOMAIN``), its
    domains filled: tenant A for brand 1 and the default, tenant B for brand 2. ``brands``:
    also keyed by brand name (the path- and header-based resolvers look names up there)."""
    domain_map = {BRAND_1: run.base, BRAND_2: run.base_b} if hosts else {}
    if brands:
        domain_map.update({"brand-1": run.base, "brand-2": run.base_b})
    return {
        **constants(run),
        "DOMAIN_MAP": domain_map,
        "DEFAULT_DOMAIN": run.base,
        "DomainResolverContext": _auth_types(run).DomainResolverContext,
        "print": run_print(run),
        "store_options": run.store(),
    }


def _auth_types(run: Run) -> Any:
    return import_module(f"{'auth0_requests' if run.mode == 'sync' else 'auth0_anyio'}.auth_types")


def mcd_setup(
    preload: Callable[[Run], dict[str, Any]] | None = None, **names: Callable[[Run], Any]
) -> Step:
    async def setup(run: Run, ns: dict[str, Any]) -> None:
        ns.update(preload(run) if preload else constants(run))
        ns["print"] = run_print(run)
        for name, make in names.items():
            ns[name] = make(run)

    return setup


def resolves(
    client: str, *cases: Case, resolver: str = "domain_resolver", elsewhere: str = ""
) -> Step:
    """For each app request: a login through the client ``ns[client]`` (or, when ``client`` is
    empty, one built with the block's ``resolver``) goes to the right tenant, whose log saw the
    code exchange (the other's did not); the session holds alice and its ``iss`` is that
    tenant; on the other tenant's app host the session is absent (sessions are per domain)."""

    async def check(run: Run, ns: dict[str, Any]) -> None:
        made = ns[client] if client else run.client(domain=ns[resolver])
        assert made.__class__.__name__ == "ServerClient", type(made)
        for headers, url, which in cases:
            run.app_request(headers, url or None)
            tenant, other = (
                (run.tenant, run.tenant_b) if which == "A" else (run.tenant_b, run.tenant)
            )
            base = run.base if which == "A" else run.base_b
            before = tenant.count("/oauth/token", grant_type="authorization_code")
            before_other = other.count("/oauth/token", grant_type="authorization_code")
            result = await run.login(made, LOGIN_AGAIN)
            case = f"{headers} {url}"
            assert tenant.count("/oauth/token", grant_type="authorization_code") == before + 1, case
            assert other.count("/oauth/token", grant_type="authorization_code") == before_other
            assert result["state_data"]["user"]["iss"] == f"{base}/", (case, result)
            user = await run.user_of(made)
            assert user["sub"] == "auth0|alice", (case, user)
            assert user["iss"] == f"{base}/", (case, user)
        other_host = BRAND_2 if cases[-1][2] == "A" else BRAND_1
        run.app_request({"host": other_host}, elsewhere or None)
        assert await run.call(made, "get_user", run.store()) is None, "a session of another domain"

    return check


def _sync_resolver_client(run: Run) -> Any:
    """The page's client of block #2 (a resolver by the app's Host; async on the async
    facade, sync on auth0_requests)."""
    domains = {BRAND_1: run.base, BRAND_2: run.base_b}

    def pick(context: Any) -> str:
        return domains.get((context.host or "").split(":")[0], run.base)

    async def pick_async(context: Any) -> str:
        return pick(context)

    return run.client(domain=pick if run.mode == "sync" else pick_async)


async def _logged_in_on_brand_2(run: Run, ns: dict[str, Any]) -> None:
    run.app_request({"host": BRAND_2})
    await run.login(ns["client"], LOGIN_AGAIN)
    run.app_request({"host": BRAND_2})


async def _user_of_brand_2(run: Run, ns: dict[str, Any]) -> None:
    assert ns["user"], ns["user"]
    assert ns["user"]["sub"] == "auth0|alice", ns["user"]
    assert ns["user"]["iss"] == f"{run.base_b}/", ns["user"]
    assert run.tenant_b.count("/oauth/token", grant_type="authorization_code") == 1
    assert run.tenant.count("/.well-known/openid-configuration") == 0, "tenant A was asked"
    run.app_request({"host": BRAND_1})
    assert await run.call(ns["client"], "get_user", run.store()) is None


def _context(run: Run, headers: dict[str, str]) -> Any:
    context = _auth_types(run).DomainResolverContext
    return context(request_url=f"https://{headers['host']}/", request_headers=headers)


async def _risky(run: Run, ns: dict[str, Any]) -> None:
    """The page's point: the domain comes from the request, so the caller picks it."""
    resolve = ns["domain_resolver"]
    assert await resolve(_context(run, {"host": BRAND_1})) == "login.brand-1.com"
    evil = await resolve(_context(run, {"host": "evil.yourapp.com"}))
    assert evil == "login.evil.com", evil


async def _errors(run: Run, ns: dict[str, Any]) -> None:
    """Resolver failures fall back to the default; the SDK refuses a resolver's bad answer
    with the DomainResolverError the block imports (``.original_error`` when it raised)."""
    error = ns["DomainResolverError"]
    for answer in (None, "", 42):

        async def bad(context: Any, answer: Any = answer) -> Any:
            return answer

        try:
            await run.call(run.client(domain=bad), "start_interactive_login", LOGIN_AGAIN)
        except error:
            pass
        else:
            raise AssertionError(f"a resolver answering {answer!r} was not refused")

    async def raising(context: Any) -> str:
        raise LookupError("db down")

    try:
        await run.call(run.client(domain=raising), "start_interactive_login", LOGIN_AGAIN)
    except error as refused:
        cause = refused.original_error
        if not isinstance(cause, LookupError):
            raise AssertionError(f"original_error is {cause!r}") from refused
    else:
        raise AssertionError("a raising resolver was not refused")
    assert any("db down" in line for line in ns["LOGGED"]), ns["LOGGED"]


def _lookup_names(run: Run) -> dict[str, Any]:
    """``lookup_domain_from_db`` and ``logger``, the page's own (not shown): the db lookup
    knows brand 2 and fails for ``broken.yourapp.com``."""
    logged: list[str] = []

    def lookup_domain_from_db(context: Any) -> str | None:
        host = (context.request_headers or {}).get("host", "")
        if host == "broken.yourapp.com":
            raise ConnectionError("db down")
        return {BRAND_2: run.base_b}.get(host)

    class Logger:
        def error(self, message: str) -> None:
            logged.append(message)

    return {
        **_mcd_names(run),
        "lookup_domain_from_db": lookup_domain_from_db,
        "logger": Logger(),
        "LOGGED": logged,
    }


async def _behind_proxy(run: Run, ns: dict[str, Any]) -> None:
    """Not behind a proxy: x-forwarded-host ignored (tenant A); behind one: used (B)."""
    forwarded = {"host": BRAND_1, "x-forwarded-host": BRAND_2}
    ns["BEHIND_TRUSTED_PROXY"] = False
    await resolves("", (forwarded, "", "A"))(run, ns)
    ns["BEHIND_TRUSTED_PROXY"] = True
    await resolves("", (forwarded, "", "B"))(run, ns)


MCD_FILLS = (
    ('"brand-1.yourapp.com": "login.brand-1.com"', '"brand-1.yourapp.com": TENANT_DOMAIN'),
    ('"brand-2.yourapp.com": "login.brand-2.com"', '"brand-2.yourapp.com": TENANT_B'),
)


def _custom_domain_specs() -> dict[str, Spec]:
    s: dict[str, Spec] = {}
    s["README.md#8"] = Spec(
        "a resolver by Host: acme -> tenant A, globex -> tenant B; sessions per domain",
        fills=(
            ('"acme.auth0.com"', "TENANT_DOMAIN"),
            ('"globex.auth0.com"', "TENANT_B"),
            ("'<AUTH0_CLIENT_ID>'", "CLIENT_ID"),
            ("'<AUTH0_CLIENT_SECRET>'", "CLIENT_SECRET"),
            ("'<AUTH0_SECRET>'", "SECRET"),
        ),
        setup=mcd_setup(),
        check=resolves(
            "auth0",
            ({"host": "globex.yourapp.com"}, "", "B"),
            ({"host": "acme.yourapp.com:8443"}, "", "A"),
        ),
        sync_reason=ASYNC_RESOLVER,
    )
    s["MultipleCustomDomains.md#2"] = Spec(
        "DOMAIN_MAP resolver: brand-1 -> tenant A, brand-2 -> tenant B; sessions per domain",
        fills=(
            *MCD_FILLS,
            ('"your_client_id"', "CLIENT_ID"),
            ('"your_client_secret"', "CLIENT_SECRET"),
            ('"your_encryption_secret"', "SECRET"),
        ),
        setup=mcd_setup(),
        check=resolves(
            "client", ({"host": BRAND_1}, "", "A"), ({"host": f"{BRAND_2}:3000"}, "", "B")
        ),
        sync_reason=ASYNC_RESOLVER,
    )
    s["MultipleCustomDomains.md#3"] = Spec(
        "x-forwarded-host before host; no headers: the default",
        setup=mcd_setup(_mcd_names),
        check=resolves(
            "",
            ({"host": "internal:8000", "x-forwarded-host": BRAND_2}, "", "B"),
            ({"host": "BRAND-1.yourapp.com:443"}, "", "A"),
            ({}, "https://app.example/login", "A"),
        ),
        sync_reason=ASYNC_RESOLVER,
    )
    s["MultipleCustomDomains.md#4"] = Spec(
        "get_user(store_options): the resolver picks brand-2's tenant, whose session it is",
        setup=then_all(mcd_setup(client=_sync_resolver_client), _logged_in_on_brand_2),
        check=_user_of_brand_2,
    )
    for n, what in (
        (5, "SQLAlchemy + asyncpg on PostgreSQL"),
        (6, "SQLAlchemy on PostgreSQL"),
        (7, "Redis (redis.asyncio at localhost:6379)"),
        (8, "a Redis hash"),
    ):
        s[f"MultipleCustomDomains.md#{n}"] = skip(NEEDS_DATABASE, what)
    s["MultipleCustomDomains.md#9"] = Spec(
        "path-based: /brand/brand-2/... -> tenant B; other paths -> the default",
        setup=mcd_setup(lambda run: _mcd_names(run, brands=True, hosts=False)),
        check=resolves(
            "",
            ({"host": "app.yourapp.com"}, "https://app.yourapp.com/brand/brand-2/auth/login", "B"),
            ({"host": "app.yourapp.com"}, "https://app.yourapp.com/auth/login", "A"),
            elsewhere="https://app.yourapp.com/brand/brand-2/",
        ),
        sync_reason=ASYNC_RESOLVER,
    )
    s["MultipleCustomDomains.md#10"] = Spec(
        "x-brand-id header first (brand-2 -> B), then the host (brand-1 -> A)",
        setup=mcd_setup(lambda run: _mcd_names(run, brands=True)),
        check=resolves(
            "",
            ({"host": "app.yourapp.com", "x-brand-id": "brand-2"}, "", "B"),
            ({"host": BRAND_1}, "", "A"),
        ),
        sync_reason=ASYNC_RESOLVER,
    )
    s["MultipleCustomDomains.md#11"] = Spec(
        "a failing lookup falls back to the default; bad answers are DomainResolverError",
        setup=mcd_setup(_lookup_names),
        check=both(
            resolves(
                "",
                ({"host": BRAND_2}, "", "B"),
                ({"host": "broken.yourapp.com"}, "", "A"),
                ({"host": "unknown.yourapp.com"}, "", "A"),
            ),
            _errors,
        ),
        sync_reason=ASYNC_RESOLVER,
    )
    s["MultipleCustomDomains.md#12"] = Spec(
        "the allowlist resolver: brand-2 -> B, brand-1 -> A, evil.com -> the default",
        fills=MCD_FILLS,
        setup=mcd_setup(_mcd_names),
        check=resolves(
            "",
            ({"host": BRAND_2}, "", "B"),
            ({"host": "evil.com"}, "", "A"),
            ({"host": BRAND_1}, "", "A"),
        ),
        sync_reason=ASYNC_RESOLVER,
    )
    s["MultipleCustomDomains.md#13"] = Spec(
        "the risky resolver: Host evil.yourapp.com makes it answer login.evil.com",
        setup=mcd_setup(_mcd_names),
        check=_risky,
        sync_reason=ASYNC_RESOLVER,
    )
    s["MultipleCustomDomains.md#14"] = Spec(
        "x-forwarded-host only behind a trusted proxy (A without, B with)",
        setup=mcd_setup(lambda run: {**_mcd_names(run), "BEHIND_TRUSTED_PROXY": False}),
        check=_behind_proxy,
        sync_reason=ASYNC_RESOLVER,
    )
    return s


# --- custom token exchange, session transfer (CustomTokenExchange.md, README.md#6-7) ------------

EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
STT_TYPE = "urn:auth0:params:oauth:token-type:session_transfer_token"
RESERVED_TYPE = (
    "InvalidArgumentError: subject_token_type",
    "the block's subject_token_type `urn:ietf:params:oauth:token-type:access_token` is in a "
    "namespace Auth0 reserves and refuses (protocol doc §8.5); we refuse it before sending "
    "(docs/custom-token-exchange.md), the official SDK sends it and Auth0 answers 400",
)


def claims(token: str) -> dict[str, Any]:
    """A JWT's payload, unverified (the tenant's own token: what it was issued for)."""
    import base64
    import json

    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def exchanged(
    name: str, *, scope: str = "", org: str = "", prints_prefix: tuple[str, ...] = ()
) -> Step:
    """The tenant saw one token exchange; ``ns[name]`` holds an access token for alice (and
    ``scope``'s scopes, ``org``'s org_id); the block printed lines starting with these."""

    async def check(run: Run, ns: dict[str, Any]) -> None:
        assert run.count("/oauth/token", EXCHANGE_GRANT) == 1, "the tenant saw no exchange"
        token = claims(ns[name].access_token)
        assert token["sub"] == "auth0|alice", token
        assert token["aud"] in ("https://api.example.com", ["https://api.example.com"]) or (
            "https://api.example.com" in token["aud"]
        ), token
        if scope:
            assert set(scope.split()) <= set(token.get("scope", "").split()), token
        if org:
            assert token.get("org_id") == org, token
        seen = printed(run)
        assert len(seen) >= len(prints_prefix), seen
        for line, prefix in zip(seen, prints_prefix, strict=False):
            assert line.startswith(prefix), seen

    return check


def exchange_login(name: str, *prints_expected: str) -> Step:
    """The tenant saw one token exchange; the result and the cookie session hold alice."""

    async def check(run: Run, ns: dict[str, Any]) -> None:
        assert run.count("/oauth/token", EXCHANGE_GRANT) == 1, "the tenant saw no exchange"
        assert ns[name].state_data["user"]["sub"] == "auth0|alice", ns[name]
        assert (await run.user_of(ns["auth0"]))["sub"] == "auth0|alice"
        assert printed(run) == list(prints_expected), printed(run)

    return check


def _fastapi_stand_in(run: Run, ns: dict[str, Any]) -> Awaitable[None]:
    """CustomTokenExchange.md#2 imports fastapi's ``Request`` and ``Response`` (types it does
    not use); without fastapi installed, a stand-in module for the run."""
    import sys
    import types

    async def done() -> None:
        return None

    try:
        import_module("fastapi")
    except ImportError:
        from auth0_core.stores import CookieRequest, CookieResponse

        stand_in = types.ModuleType("fastapi")
        stand_in.Request = CookieRequest  # type: ignore[attr-defined]
        stand_in.Response = CookieResponse  # type: ignore[attr-defined]
        sys.modules["fastapi"] = stand_in
        run.cleanups.append(lambda: sys.modules.pop("fastapi", None))
    return done()


async def _refused_grant(run: Run, ns: dict[str, Any]) -> None:
    assert run.count("/oauth/token", EXCHANGE_GRANT) == 1, "the tenant saw no exchange"
    seen = printed(run)
    assert len(seen) == 1, seen
    assert seen[0].startswith("Exchange failed: invalid_grant - "), seen
    assert ns["response"] is run.response, "the exchange answered"


async def _agent_bob(run: Run, ns: dict[str, Any]) -> None:
    """The support agent (bob) is logged in at the initiator app (cookies); the customer's
    subject token names alice."""
    await run.login(ns["auth0"], user="bob")
    ns["subject_token"] = "customer-alice"
    ns["RedirectResponse"] = lambda url: url  # the framework's redirect: the URL it sends


async def _stt_redirect(run: Run, ns: dict[str, Any]) -> None:
    from urllib.parse import parse_qs, urlsplit

    assert run.count("/oauth/token", EXCHANGE_GRANT) == 1, "the tenant saw no exchange"
    result = ns["result"]
    assert result.issued_token_type == STT_TYPE, result
    transfer = run.tenant.state.session_transfers.get(result.session_transfer_token)
    assert transfer is not None, "the tenant holds no such STT"
    assert transfer.user_id == "auth0|alice", transfer
    assert transfer.client_id == CLIENT_ID, transfer
    url = urlsplit(ns["__return__"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://customer-app.example.com/auth/login"
    assert parse_qs(url.query) == {"session_transfer_token": [result.session_transfer_token]}


async def _bob_id_token(run: Run) -> str:
    agent = run.client()
    login = await run.login(agent, store=False, user="bob")
    token: str = login["state_data"]["id_token"]
    return token


async def _stt_minted(run: Run, ns: dict[str, Any]) -> None:
    """The initiator (bob, the agent) minted an STT for alice; the target app's login request
    carries it (``request.query_params``, as a framework's request has)."""
    agent = run.client()
    await run.login(agent, store=False, user="bob")
    result = await run.call(
        agent, "request_session_transfer_token", "customer-alice", CUSTOMER_SUBJECT
    )
    run.request.query_params = {"session_transfer_token": result.session_transfer_token}  # type: ignore[attr-defined]
    ns["STT"] = result.session_transfer_token
    ns["RedirectResponse"] = lambda url: url


async def _stt_login(run: Run, ns: dict[str, Any]) -> None:
    """The target's /authorize URL carries the STT; the tenant redeems it without a login
    page: the callback completes into alice's session."""
    url = ns["__return__"]
    run.authorize_query(url, client_id=CLIENT_ID, session_transfer_token=ns["STT"])
    callback = run.browser(url, "nobody")
    assert "code=" in callback, callback
    await run.call(ns["auth0"], "complete_interactive_login", callback, run.store())
    assert (await run.user_of(ns["auth0"]))["sub"] == "auth0|alice"


async def _impersonated_session(run: Run, ns: dict[str, Any]) -> None:
    """A session of alice with bob as the actor (an exchange with bob's ID token as
    ``actor_token``: the tenant does not put ``act`` in an STT login's ID token)."""
    bob = await _bob_id_token(run)
    options = {
        "subject_token": "customer-alice",
        "subject_token_type": MCP_TOKEN,
        "actor_token": bob,
        "actor_token_type": ID_TOKEN_TYPE,
    }
    await run.call(ns["auth0"], "login_with_custom_token_exchange", options, run.store())


def _custom_token_exchange_specs() -> dict[str, Spec]:
    s: dict[str, Spec] = {}
    s["README.md#6"] = Spec(
        "login_with_custom_token_exchange: alice's session from the mapped subject token",
        setup=given("auth0"),
        check=both(exchange_login("result"), _user_is("user")),
    )
    s["README.md#7"] = Spec(
        "custom_token_exchange: an access token for alice with the asked scope",
        setup=given("auth0"),
        check=exchanged("response", scope="read:data write:data", prints_prefix=("ey",)),
    )
    page = "CustomTokenExchange.md"
    s[f"{page}#1"] = Spec(
        "constructor and custom_token_exchange: access token for alice, printed",
        fills=(
            ('"<AUTH0_DOMAIN>"', "TENANT_DOMAIN"),
            ('"<AUTH0_CLIENT_ID>"', "CLIENT_ID"),
            ('"<AUTH0_CLIENT_SECRET>"', "CLIENT_SECRET"),
            ('"<AUTH0_SECRET>"', "SECRET"),
        ),
        setup=given(preload=constants),
        check=exchanged(
            "response",
            scope="read:data write:data",
            prints_prefix=("Access Token: ey", "Expires In: "),
        ),
    )
    s[f"{page}#2"] = Spec(
        "login_with_custom_token_exchange: alice's session, her sub printed",
        setup=given("auth0", then=_fastapi_stand_in),
        check=exchange_login("result", "User logged in: auth0|alice"),
    )
    s[f"{page}#3"] = Spec(
        "custom_token_exchange with an actor token (subject type urn:ietf:...)",
        setup=given("auth0", preload=_cte_types),
        differs=RESERVED_TYPE,
    )
    s[f"{page}#4"] = Spec(
        "login_with_custom_token_exchange with an actor token (subject type urn:ietf:...)",
        setup=given("auth0", preload=_cte_types),
        differs=RESERVED_TYPE,
    )
    s[f"{page}#5"] = Spec(
        "custom_token_exchange with extra authorization_params: token for alice",
        setup=given("auth0", preload=_cte_types),
        check=exchanged("response"),
    )
    s[f"{page}#6"] = Spec(
        "custom_token_exchange with organization: token for alice in org_abc1234",
        setup=given("auth0", preload=_cte_types),
        check=exchanged("response", org="org_abc1234"),
    )
    s[f"{page}#7"] = Spec(
        "an unknown subject token: CustomTokenExchangeError caught, code printed",
        setup=given("auth0", preload=_cte_types),
        check=_refused_grant,
    )
    s[f"{page}#9"] = Spec(
        "request_session_transfer_token as the logged-in agent: STT for alice, redirect URL",
        setup=given("auth0", then=_agent_bob),
        check=_stt_redirect,
    )
    s[f"{page}#10"] = Spec(
        "the target's login with the STT: /authorize carries it, the tenant logs alice in",
        setup=given("auth0", preload=_cte_types, then=_stt_minted),
        check=_stt_login,
        differs=(
            "MissingStoreOptionsError",
            "the block starts a login with store_options={'request': ..., 'response': None}: "
            "every login is bound to its browser by a cookie (login CSRF, docs/login.md), so a "
            "login needs a response to set it on; with a response the same call works "
            "(tests/e2e/test_session_transfer.py)",
        ),
    )
    s[f"{page}#11"] = Spec(
        "get_session of an impersonation: the actor (bob) printed",
        setup=given("auth0", then=_impersonated_session),
        check=prints("Impersonated by: auth0|bob"),
    )
    return s


def _cte_types(run: Run) -> dict[str, Any]:
    """``CustomTokenExchangeOptions`` and friends, imported in block #1 / #2 of the page."""
    types = _auth_types(run)
    return {
        name: getattr(types, name)
        for name in (
            "CustomTokenExchangeOptions",
            "LoginWithCustomTokenExchangeOptions",
            "StartInteractiveLoginOptions",
        )
    }


SPECS = _specs()
