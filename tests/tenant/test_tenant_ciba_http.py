"""The user's device for CIBA over real HTTP: the served tenant's ``/ciba`` page lists pending
requests with their binding messages and Approve/Deny forms, and ``auth0-core ciba`` answers
them from the command line."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import httpx
import pytest

from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.tenant import Tenant, TenantConfig
from auth0_tenant_server import ServerThread
from auth0_tenant_server._cli import main

from .tenant_helpers import CLIENT_ID, NOW, SECRET

CIBA = "urn:openid:params:grant-type:ciba"
ALICE = "auth0|alice"
BOB = "auth0|bob"


class Served:
    def __init__(self, tenant: Tenant, base: str, clock: FixedClock) -> None:
        self.tenant, self.base, self.clock = tenant, base, clock
        self.http = httpx.Client(base_url=base, auth=(CLIENT_ID, SECRET), timeout=10)

    def start(self, sub: str = ALICE, message: str = "Kiosk 4711") -> str:
        hint = json.dumps({"format": "iss_sub", "iss": self.base + "/", "sub": sub})
        fields = {"scope": "openid", "login_hint": hint, "binding_message": message}
        answer = self.http.post("/bc-authorize", data=fields)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["auth_req_id"])

    def poll(self, auth_req_id: str) -> httpx.Response:
        self.clock.now += 10  # past the interval, so no slow_down
        return self.http.post("/oauth/token", data={"grant_type": CIBA, "auth_req_id": auth_req_id})

    def page(self, **query: str) -> str:
        answer = httpx.get(self.base + "/ciba", params=query)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/html")
        return answer.text


@pytest.fixture
def served() -> Iterator[Served]:
    clock = FixedClock(NOW)
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Callable[[HttpRequest], HttpResponse]:
        tenants.append(Tenant(TenantConfig.default(), base_url=base_url, env=Env(clock=clock)))
        return tenants[0].handle

    with ServerThread(make_handler=make_handler) as server:
        served = Served(tenants[0], server.base_url, clock)
        yield served
        served.http.close()


def listed(page: str) -> list[str]:
    return re.findall(r'data-auth-req-id="([^"]+)"', page)


def test_the_page_lists_pending_requests_with_their_binding_messages(served: Served) -> None:
    first = served.start(message="Kiosk 4711")
    second = served.start(BOB, message="Till 12")
    page = served.page(user=ALICE)
    assert listed(page) == [first]
    assert '<strong class="binding-message">Kiosk 4711</strong>' in page
    assert 'action="/ciba"' in page
    assert 'value="approve"' in page
    assert 'value="deny"' in page
    assert "Till 12" not in page
    assert listed(served.page()) == [first, second]
    assert listed(served.page(auth_req_id=second)) == [second]
    assert "No pending requests." in served.page(user="auth0|nobody")


def test_approving_on_the_page_lets_the_poll_answer_tokens(served: Served) -> None:
    rid = served.start()
    assert served.poll(rid).json()["error"] == "authorization_pending"
    answer = httpx.post(served.base + "/ciba", data={"auth_req_id": rid, "decision": "approve"})
    assert answer.status_code == 200
    assert 'data-decision="approve"' in answer.text
    assert listed(served.page(user=ALICE)) == []
    tokens = served.poll(rid)
    assert tokens.status_code == 200
    assert "id_token" in tokens.json()


def test_denying_on_the_page_answers_access_denied(served: Served) -> None:
    rid = served.start()
    answer = httpx.post(served.base + "/ciba", data={"auth_req_id": rid, "decision": "deny"})
    assert answer.status_code == 200
    refused = served.poll(rid)
    assert (refused.status_code, refused.json()["error"]) == (400, "access_denied")
    again = httpx.post(served.base + "/ciba", data={"auth_req_id": rid, "decision": "approve"})
    assert again.status_code == 404


@pytest.mark.parametrize(
    "fields",
    [
        {"auth_req_id": "x"},
        {"auth_req_id": "x", "decision": "maybe"},
        {"decision": "approve"},
        {"decision": "approve", "auth_req_id": "x", "user": ALICE},
    ],
)
def test_a_malformed_decision_is_a_400(served: Served, fields: dict[str, str]) -> None:
    assert httpx.post(served.base + "/ciba", data=fields).status_code == 400
    answer = httpx.post(served.base + "/ciba", data=fields, headers={"Accept": "application/json"})
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_request")


def test_the_cli_approves_one_request(served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    rid = served.start()
    assert main(["ciba", "approve", rid, "--tenant", served.base]) == 0
    assert capsys.readouterr().out.strip() == f"approved {rid}"
    assert served.poll(rid).status_code == 200


def test_the_cli_denies_every_request_of_a_user(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, other = served.start(), served.start(), served.start(BOB)
    assert main(["ciba", "deny", "--user", ALICE, "--tenant", served.base]) == 0
    assert capsys.readouterr().out.split() == ["denied", first, "denied", second]
    assert served.poll(first).json()["error"] == "access_denied"
    assert served.poll(other).json()["error"] == "authorization_pending"


def test_the_cli_reports_what_it_could_not_do(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ciba", "approve", "no-such-request", "--tenant", served.base]) == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert main(["ciba", "approve", "--user", ALICE, "--tenant", served.base]) == 1
    assert "no pending request" in capsys.readouterr().err
    assert main(["ciba", "approve", "--tenant", served.base]) == 2
    assert main(["ciba", "approve", "x", "--user", ALICE, "--tenant", served.base]) == 2
    assert main(["ciba", "approve", "x", "--tenant", "http://127.0.0.1:9"]) == 1
    assert "cannot reach" in capsys.readouterr().err
