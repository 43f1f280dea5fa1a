"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) against a certified OP,
through every facade: the URL ``logout`` builds is one the OP's end_session endpoint accepts,
and following it ends the user's session at the OP."""

from __future__ import annotations

import pytest

from auth0_core.errors import AuthorizationError

from ..oidc_provider.harness import CALLBACK, LOGOUT_RETURN, OpenIDProvider
from .conftest import OPApp, query

pytestmark = pytest.mark.anyio


async def silent_login(op_app: OPApp) -> str:
    """``prompt=none`` (OIDC Core §3.1.2.1): the callback URL the OP answers without any page."""
    url = await op_app.start_login(
        {"authorization_params": {"redirect_uri": CALLBACK, "prompt": "none"}}
    )
    return op_app.op_browser.authorize(url)


async def test_logout_url_is_accepted_and_ends_the_op_session(
    op_app: OPApp, oidc_op: OpenIDProvider
) -> None:
    await op_app.login("alice")
    # The OP session lets a silent login through before the logout...
    assert "code" in query(await silent_login(op_app))

    url = await op_app.with_store("logout", {"return_to": LOGOUT_RETURN})
    assert url.startswith(oidc_op.discovery()["end_session_endpoint"] + "?")
    sent = query(url)
    assert sent["client_id"] == [op_app.options["client_id"]]
    assert sent["post_logout_redirect_uri"] == [LOGOUT_RETURN]
    assert "id_token_hint" not in sent  # never an ID token in a URL (docs/interop-op.md)
    assert await op_app.user() is None  # the local session is gone first

    # The OP asks the user to confirm (no id_token_hint), then sends them back.
    assert op_app.op_browser.logout(url) == LOGOUT_RETURN

    # ...and not after: the OP has no session for this browser any more.
    callback = await silent_login(op_app)
    assert query(callback)["error"] == ["login_required"]
    with pytest.raises(AuthorizationError) as caught:
        await op_app.with_store("complete_interactive_login", callback)
    assert caught.value.error == "login_required"


async def test_logout_without_return_to(op_app: OPApp, oidc_op: OpenIDProvider) -> None:
    await op_app.login("alice")
    url = await op_app.with_store("logout")
    assert set(query(url)) == {"client_id"}
    end = op_app.op_browser.logout(url)
    assert end == oidc_op.issuer + "/session/end/success"  # the OP's own signed-out page
    assert "error" in query(await silent_login(op_app))
