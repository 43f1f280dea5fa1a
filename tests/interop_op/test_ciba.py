"""CIBA (OpenID Client-Initiated Backchannel Authentication Core 1.0, poll mode) in the standard
dialect against a certified OP (oidc-provider), through every facade.

The user's device is played by a thread that waits for the OP to hold the request and answers
it through the OP's test-only ``/__admin/ciba`` route, while the SDK polls. What the OP stored
for each request (the account its ``login_hint`` resolved to, the binding message, the
resource) shows what the SDK sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from auth0_core.errors import InvalidArgumentError, OAuthError, PollingApiError

from ..oidc_provider.harness import (
    ACCESS_TOKEN_TTL,
    CIBA_INTERVAL,
    RESOURCE,
    RESOURCE_SCOPES,
    OpenIDProvider,
)
from .conftest import OPApp, jwt_claims

pytestmark = pytest.mark.anyio

SCOPE = f"offline_access profile email {RESOURCE_SCOPES}"


@pytest.fixture
async def app(mode: str, oidc_op: OpenIDProvider) -> AsyncIterator[OPApp]:
    app = OPApp(mode, oidc_op, dialect="standard")
    try:
        yield app
    finally:
        await app.aclose()


class Device:
    """The user's authentication device: answers the first pending request for ``account``
    (``decision``: ``approve`` or ``deny``) and remembers what the OP held for it."""

    def __init__(self, op: OpenIDProvider, account: str, decision: str = "approve") -> None:
        self.op = op
        self.account = account
        self.decision = decision
        self.seen: dict[str, Any] | None = None
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                for request in self.op.ciba_pending():
                    if request["account"] == self.account:
                        self.seen = request
                        # Answer after the first poll has been told to wait.
                        time.sleep(CIBA_INTERVAL * 1.5)
                        self.op.answer_ciba(request["auth_req_id"], self.decision)
                        return
                time.sleep(0.05)
            raise AssertionError(f"no CIBA request for {self.account} reached the OP")
        except BaseException as failure:  # handed to the test by __exit__
            self.failure = failure

    def __enter__(self) -> Device:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join(timeout=30)
        if self.failure is not None:
            raise self.failure


@pytest.fixture
def clean_op(oidc_op: OpenIDProvider) -> OpenIDProvider:
    """No pending request of another test's is taken for this one's."""
    for request in oidc_op.ciba_pending():
        oidc_op.answer_ciba(request["auth_req_id"], "deny")
    return oidc_op


async def test_login_backchannel_writes_a_session_for_the_api(
    app: OPApp, clean_op: OpenIDProvider
) -> None:
    options = {
        "login_hint": {"sub": "alice"},
        "binding_message": "kiosk-4711",
        "authorization_params": {"scope": SCOPE, "audience": RESOURCE},
    }
    with Device(clean_op, "alice") as device:
        result = await app.with_store("login_backchannel", options)
    assert result == {"authorization_details": None}
    assert device.seen is not None
    # The sub went as the login_hint itself (not Auth0's iss_sub JSON), the API as resource.
    assert device.seen["account"] == "alice"
    assert device.seen["binding_message"] == "kiosk-4711"
    assert device.seen["resource"] == RESOURCE
    assert set(device.seen["scope"].split()) >= {"openid", "offline_access", "read:things"}

    session = await app.session()
    assert session["user"]["sub"] == "alice"
    assert session["refresh_token"]
    (token_set,) = session["token_sets"]
    assert token_set["audience"] == RESOURCE
    assert jwt_claims(token_set["access_token"])["aud"] == RESOURCE
    # Cached, then refreshed for the same resource once it has expired.
    first = await app.with_store("get_access_token", audience=RESOURCE)
    assert first == token_set["access_token"]
    app.clock_offset = ACCESS_TOKEN_TTL + 60
    second = await app.with_store("get_access_token", audience=RESOURCE)
    assert second != first
    assert jwt_claims(second)["aud"] == RESOURCE


async def test_an_email_login_hint_and_no_binding_message(
    app: OPApp, clean_op: OpenIDProvider
) -> None:
    options = {"login_hint": "bob@example.com", "authorization_params": {"scope": "email"}}
    with Device(clean_op, "bob") as device:
        tokens = await app.call("backchannel_authentication", options)
    assert device.seen is not None
    assert device.seen["binding_message"] is None
    assert jwt_claims(tokens["id_token"])["sub"] == "bob"
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_at"] > time.time()
    assert "refresh_token" not in tokens  # no offline_access asked


async def test_userinfo_is_merged_and_the_api_token_comes_from_the_refresh_token(
    app: OPApp, clean_op: OpenIDProvider
) -> None:
    """oidc-provider refuses a token for a resource at userinfo: with ``fetch_userinfo`` the
    poll asks for the default token, and the API's comes from the refresh token."""
    app.use(fetch_userinfo="login")
    options = {
        "login_hint": {"sub": "alice"},
        "authorization_params": {"scope": SCOPE, "audience": RESOURCE},
    }
    with Device(clean_op, "alice"):
        await app.with_store("login_backchannel", options)
    user = await app.user()
    assert user["email"] == "alice@example.com"  # from userinfo: the ID token has no email
    session = await app.session()
    assert [s["audience"] for s in session["token_sets"]] == ["default"]
    token = await app.with_store("get_access_token", audience=RESOURCE)
    assert jwt_claims(token)["aud"] == RESOURCE


async def test_a_denied_request(app: OPApp, clean_op: OpenIDProvider) -> None:
    options = {"login_hint": {"sub": "bob"}, "binding_message": "pay-42"}
    with Device(clean_op, "bob", decision="deny"), pytest.raises(PollingApiError) as info:
        await app.with_store("login_backchannel", options)
    assert info.value.code == "access_denied"
    assert await app.session() is None


async def test_one_poll_at_a_time(app: OPApp, clean_op: OpenIDProvider) -> None:
    started = await app.call(
        "initiate_backchannel_authentication", {"login_hint": {"sub": "alice"}}
    )
    assert started["interval"] == CIBA_INTERVAL
    assert 0 < started["expires_in"] <= 600
    with pytest.raises(PollingApiError) as info:
        await app.call("backchannel_authentication_grant", started["auth_req_id"])
    assert info.value.code == "authorization_pending"
    clean_op.answer_ciba(started["auth_req_id"])
    tokens = await app.call("backchannel_authentication_grant", started["auth_req_id"])
    assert jwt_claims(tokens["id_token"])["sub"] == "alice"
    with pytest.raises(PollingApiError) as info:  # the request is used up
        await app.call("backchannel_authentication_grant", started["auth_req_id"])
    assert info.value.code == "auth_req_id_error"
    assert info.value.error == "invalid_grant"


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"login_hint": "nobody@example.com"}, "unknown_user_id"),
        ({"login_hint": {"sub": "alice"}, "binding_message": "has spaces"}, None),
    ],
)
async def test_the_ops_refusals(
    app: OPApp, clean_op: OpenIDProvider, options: dict[str, Any], error: str | None
) -> None:
    with pytest.raises(OAuthError) as info:
        await app.call("initiate_backchannel_authentication", options)
    # oidc-provider's own rule for binding messages: 1-20 characters, no spaces.
    assert info.value.error == (error or "invalid_binding_message")
    assert clean_op.ciba_pending() == []


async def test_the_standard_dialect_names_the_api_as_audience(app: OPApp) -> None:
    options = {"login_hint": "alice", "authorization_params": {"resource": RESOURCE}}
    with pytest.raises(InvalidArgumentError, match="audience"):
        await app.call("initiate_backchannel_authentication", options)
