"""The outbox: what the tenant sends lands there, in order, typed, until someone takes it."""

from __future__ import annotations

import threading

from auth0_core import Env, FixedClock, HttpResponse
from auth0_core._http import form_request
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.config_types import TenantClient
from auth0_core.tenant.outbox import Email, LogoutDelivery, Outbox, TextMessage
from auth0_core.tenant.params import Params
from auth0_core.tenant.responses import json_ok, oauth_error
from auth0_core.tenant.routes import handle
from auth0_core.tenant.state import TenantState

from .tenant_helpers import BASE, NOW, basic, token_request

SMS_GRANT = "http://auth0.com/oauth/grant-type/passwordless/otp"


def _send_sms_code(state: TenantState, client: TenantClient, params: Params) -> HttpResponse:
    """A stand-in for a passwordless start endpoint: text a code to ``username``."""
    phone = params.get("username")
    if phone is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: username")
    state.outbox.send(TextMessage(to=phone, body=f"Your code is {state.env.random_urlsafe(6)}"))
    return json_ok(200, {"sent": True})


def test_messages_are_kept_in_order_and_by_kind() -> None:
    outbox = Outbox()
    welcome = Email(to="alice@example.com", subject="Welcome", body="Hello")
    code = TextMessage(to="+15550100", body="123456")
    logout = LogoutDelivery(client_id="demo-client", uri="https://app/bcl", logout_token="t.o.k")
    reset = Email(to="bob@example.com", subject="Reset", body="Click")
    for message in (welcome, code, logout, reset):
        outbox.send(message)

    assert len(outbox) == 4
    assert outbox.messages(Email) == [welcome, reset]
    assert outbox.messages(TextMessage) == [code]
    assert outbox.take(Email) == [welcome, reset]
    assert outbox.messages(Email) == []
    assert outbox.take(LogoutDelivery) == [logout]
    assert len(outbox) == 1


def test_reprs_keep_codes_and_tokens_out() -> None:
    shown = repr(
        [
            Email(to="alice@example.com", subject="Code", body="code 987654"),
            TextMessage(to="+15550100", body="code 987654"),
            LogoutDelivery(
                client_id="demo-client", uri="https://app/bcl", logout_token="secret-jwt"
            ),
        ]
    )
    assert "987654" not in shown
    assert "jwt-1" not in shown


def test_an_endpoint_sends_through_the_state_and_the_face_shows_it() -> None:
    tenant = Tenant(TenantConfig.default(), base_url=BASE, env=Env(clock=FixedClock(NOW)))
    tenant.grant_handlers[SMS_GRANT] = _send_sms_code

    response = token_request(tenant, {"grant_type": SMS_GRANT, "username": "+15550100"})

    assert response.status == 200
    assert tenant.outbox is tenant.state.outbox
    [sent] = tenant.outbox.take(TextMessage)
    assert sent.to == "+15550100"
    assert sent.body.startswith("Your code is ")
    assert len(tenant.outbox) == 0


def test_a_bare_state_serves_requests_without_the_face() -> None:
    state = TenantState(
        TenantConfig.default(),
        base_url=BASE,
        grant_handlers={SMS_GRANT: _send_sms_code},
        env=Env(clock=FixedClock(NOW)),
    )
    fields = {"grant_type": SMS_GRANT, "username": "+15550100"}

    response = handle(state, form_request(BASE + "/oauth/token", fields, basic()))

    assert response.status == 200
    assert [message.to for message in state.outbox.messages(TextMessage)] == ["+15550100"]
    assert [(entry.path, entry.grant_type) for entry in state.log] == [("/oauth/token", SMS_GRANT)]


def test_a_test_thread_reads_while_another_thread_sends() -> None:
    outbox = Outbox()

    def send_many() -> None:
        for n in range(500):
            outbox.send(TextMessage(to="+15550100", body=str(n)))

    sender = threading.Thread(target=send_many)
    sender.start()
    seen = 0
    while sender.is_alive() or len(outbox):
        seen += len(outbox.take(TextMessage))
    sender.join()
    assert seen == 500
