"""What each Python block of the official docs is, how it is run and what is checked.

Keys are ``PAGE#N``: the N-th fenced Python block of the page (README.md or examples/PAGE).
The blocks themselves are read from the official repository at run time, never copied here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import import_module
from typing import Any, NamedTuple

import auth0_anyio

from .harness import CALLBACK, CLIENT_ID, CLIENT_SECRET, JWT_CLIENT_ID, PRIVATE_PEM, SECRET, Run

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
    s["README.md#6"] = not_yet("", gate="Custom Token Exchange")
    s["README.md#7"] = not_yet("", gate="Custom Token Exchange")
    s["README.md#8"] = not_yet("", gate="multiple custom domains (a domain resolver)")
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
        check=both(linked_bob, prints("http://localhost:3000/dashboard")),
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
        check=ciba_2_check,
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
    for n in range(1, 8):
        s[f"CustomTokenExchange.md#{n}"] = not_yet("", gate="Custom Token Exchange")
    s["CustomTokenExchange.md#8"] = skip(FRAGMENT, "a list of token-type strings")
    for n in (9, 10, 11):
        s[f"CustomTokenExchange.md#{n}"] = not_yet("", gate="Session Transfer Tokens")
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
    for n in range(2, 15):
        s[f"MultipleCustomDomains.md#{n}"] = not_yet(
            "", gate="multiple custom domains (a domain resolver)"
        )
    for page, count, feature in (
        ("MFA.md", 24, "the MFA API client (server_client.mfa)"),
        ("MyAccountAuthenticationMethods.md", 11, "My Account authentication methods"),
        ("Passkeys.md", 8, "the native passkey API"),
        ("Passwordless.md", 12, "the embedded passwordless client"),
    ):
        for n in range(1, count + 1):
            s[f"{page}#{n}"] = not_yet(feature)
    return s


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


SPECS = _specs()
