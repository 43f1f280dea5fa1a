"""Two instances of one application, each its own OS process, sharing one Redis (issue 12,
item 4): a login through one is seen by the other; a back-channel logout received by one ends
the session on both; concurrent refreshes across both cost one refresh grant at the tenant; and
lock holders killed mid-refresh (SIGKILL) free their sessions once the lock's TTL runs out.

Instance A runs ``auth0_requests.ServerClient`` (sync, ``RedisStateStore``), instance B
``auth0_anyio.ServerClient`` (asyncio, ``AsyncRedisStateStore``): ``instance_app.py`` started
with this interpreter, on loopback ports, against the emulated tenant served by ``ServerThread``
in this process. The test is the browser: one cookie jar for 127.0.0.1 (cookies are per host, not
per port), so each request may go to either instance, as behind a load balancer.

The tenant hands out rotating refresh tokens without leeway: a second instance presenting the
refresh token the first rotated out would get the whole family revoked, so "one refresh" and
"the session still works afterwards" are both checked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import anyio
import httpx
import pytest

from auth0_core import HttpRequest, HttpResponse
from auth0_core.tenant import Tenant, TenantConfig
from auth0_tenant_server import ServerThread, send_over_http

from .servers import RedisServer, free_port

APP = Path(__file__).with_name("instance_app.py")
CLIENT_ID = "demo-client"
API = "https://api.example.com"
ALICE = "auth0|alice"
LOCK_TTL = 15.0  # the default refresh_lock_ttl (the instances keep the default timeout, 10 s)


# --- the tenant, and a gate in front of its refresh grants -------------------------------------


def tenant_config(callbacks: list[str], backchannel_uri: str) -> TenantConfig:
    """The packaged configuration, the demo client with these URLs and rotating refresh tokens."""
    text = resources.files("auth0_core.tenant").joinpath("default.toml").read_text()
    document = tomllib.loads(text)
    (demo,) = [client for client in document["clients"] if client["client_id"] == CLIENT_ID]
    demo = {
        **demo,
        "callbacks": callbacks,
        "backchannel_logout_uri": backchannel_uri,
        "refresh_token": {**demo["refresh_token"], "rotation_type": "rotating", "leeway": 0},
    }
    return TenantConfig.from_dict({"clients": [demo]})


def is_refresh(request: HttpRequest) -> bool:
    if request.method != "POST" or urlsplit(request.url).path != "/oauth/token":
        return False
    return parse_qs(request.body.decode("latin-1")).get("grant_type") == ["refresh_token"]


class Gate:
    """In front of the served tenant: ``delay`` slows every refresh grant down; ``hold`` is how
    many of the next refresh grants to hold (each releases ``held`` once) until ``release``, then
    drop with a 503: those never reach the tenant, as when their sender crashed before sending."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.reset()

    def reset(self) -> None:
        self.delay = 0.0
        self.hold = 0
        self.held = threading.Semaphore(0)
        self.release = threading.Event()

    async def handle(self, request: HttpRequest) -> HttpResponse:
        if is_refresh(request):
            if self.hold > 0:
                self.hold -= 1
                self.held.release()
                release = self.release
                while not release.is_set():
                    await anyio.sleep(0.02)
                return HttpResponse(status=503, body=b"")
            if self.delay:
                await anyio.sleep(self.delay)
        return self.tenant.handle(request)

    def refreshes(self) -> int:
        return self.tenant.count("/oauth/token", grant_type="refresh_token")


# --- the instances: OS processes ---------------------------------------------------------------


class Instance:
    """``instance_app.py`` in a process of its own; stopped (or killed) by its PID."""

    def __init__(self, facade: str, port: int, tenant_url: str, redis_url: str, logs: Path):
        self.facade = facade
        self.url = f"http://127.0.0.1:{port}"
        self.log = logs / f"{facade}-{port}.log"
        command = [
            sys.executable, str(APP), "--facade", facade, "--port", str(port),
            "--tenant", tenant_url, "--redis", redis_url,
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"{self.facade} instance exited {self.process.returncode}:\n{self.output()}"
                )
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        pytest.fail(f"{self.facade} instance did not answer on {self.url}:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no lock released."""
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


class Deployment:
    def __init__(self, gate: Gate, tenant_url: str, redis: RedisServer, logs: Path) -> None:
        self.gate = gate
        self.tenant = gate.tenant
        self.tenant_url = tenant_url
        self.redis = redis
        self.logs = logs
        self.instances: list[Instance] = []

    def start(self, facade: str, port: int) -> Instance:
        instance = Instance(facade, port, self.tenant_url, self.redis.url, self.logs)
        self.instances.append(instance)
        return instance

    def keys(self, kind: str) -> list[bytes]:
        with self.redis.client() as raw:
            return [key for key in raw.scan_iter(count=1000) if f":{kind}:".encode() in key]

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()


@pytest.fixture(scope="module")
def deployment(
    redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Deployment, Instance, Instance]]:
    with redis_server.client() as raw:
        raw.flushall()
    port_a, port_b = free_port(), free_port()
    url_a, url_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    config = tenant_config(
        [f"{url_a}/callback", f"{url_b}/callback"], f"{url_b}/backchannel-logout"
    )
    gates: list[Gate] = []

    def make_handler(base_url: str) -> Any:
        gates.append(Gate(Tenant(config, base_url=base_url)))
        return gates[0].handle

    with ServerThread(make_handler=make_handler) as server:
        setup = Deployment(gates[0], server.base_url, redis_server, tmp_path_factory.mktemp("apps"))
        try:
            a, b = setup.start("sync", port_a), setup.start("async", port_b)
            a.wait_ready()
            b.wait_ready()
            yield setup, a, b
        finally:
            setup.gate.release.set()
            setup.stop()


@pytest.fixture
def apps(
    deployment: tuple[Deployment, Instance, Instance],
) -> tuple[Deployment, Instance, Instance]:
    setup = deployment[0]
    setup.gate.release.set()  # a request a failed test left held goes
    setup.gate.reset()
    with setup.redis.client() as raw:
        raw.flushall()  # each scenario starts from an empty Redis
    return deployment


# --- the browser -------------------------------------------------------------------------------


class LoginForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = found.get("action", "")
        elif tag == "input" and "name" in found:
            self.fields[found["name"]] = found.get("value", "")


class Browser:
    """One user's browser: the cookies of 127.0.0.1, whatever the port."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def headers(self) -> dict[str, str]:
        return (
            {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            if self.cookies
            else {}
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        # No client-side jar: this one is the only one.
        response = httpx.request(method, url, headers=self.headers(), timeout=30, **kwargs)
        for line in response.headers.get_list("set-cookie"):
            pair, *attributes = line.split(";")
            name, _, value = pair.strip().partition("=")
            if not value or any(a.strip().lower() == "max-age=0" for a in attributes):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, url: str) -> httpx.Response:
        return self.request("GET", url)

    def json(self, url: str) -> Any:
        response = self.get(url)
        assert response.status_code == 200, response.text
        return response.json()

    def session(self, instance: Instance) -> Any:
        return self.json(instance.url + "/session")["session"]

    def login(self, instance: Instance, user: str = "alice") -> str:
        """Log in through ``instance``: its /login, the tenant's login form, its /callback."""
        start = self.get(instance.url + "/login")
        assert start.status_code == 302, start.text
        authorize = start.headers["location"]
        page = self.get(authorize)
        assert page.status_code == 200, page.text
        form = LoginForm()
        form.feed(page.text)
        assert form.action is not None
        assert "tx" in form.fields
        fields = {**form.fields, "username": f"{user}@example.com", "password": f"{user}-password"}
        posted = self.request("POST", urljoin(authorize, form.action), data=fields)
        assert posted.status_code == 302, posted.text
        callback = posted.headers["location"]
        assert callback.startswith(instance.url + "/callback?")
        return str(self.json(callback)["sub"])


def token_requests(
    calls: list[tuple[Browser, Instance]], audience: str
) -> list[tuple[httpx.Response, float]]:
    """``/token?audience=`` from each browser to each instance at the same moment (one thread
    each, a barrier); every answer, with the ``time.monotonic()`` it came at."""
    barrier = threading.Barrier(len(calls))

    def one(call: tuple[Browser, Instance]) -> tuple[httpx.Response, float]:
        browser, instance = call
        headers = browser.headers()
        barrier.wait(timeout=10)
        answer = httpx.get(
            instance.url + "/token", params={"audience": audience}, headers=headers, timeout=30
        )
        return answer, time.monotonic()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, calls))


def access_tokens(timed: list[tuple[httpx.Response, float]]) -> set[str]:
    answers = [answer for answer, _ in timed]
    assert [answer.status_code for answer in answers] == [200] * len(answers), [
        answer.text for answer in answers
    ]
    return {answer.json()["access_token"] for answer in answers}


# --- the scenarios -----------------------------------------------------------------------------


def test_a_login_on_one_instance_is_seen_on_the_other(apps: Any) -> None:
    _, a, b = apps
    browser = Browser()
    assert browser.login(a) == ALICE
    on_a, on_b = browser.session(a), browser.session(b)
    assert on_b is not None
    assert on_b["user"]["sub"] == ALICE
    assert on_b == on_a  # the same record: same sid, same token sets
    assert Browser().session(b) is None  # no cookie, no session

    other = Browser()
    assert other.login(b, "bob") == "auth0|bob"  # and the other way round
    assert other.session(a)["user"]["sub"] == "auth0|bob"
    assert browser.session(a)["user"]["sub"] == ALICE


def test_a_backchannel_logout_received_by_one_ends_the_session_on_both(apps: Any) -> None:
    setup, a, b = apps
    browser = Browser()
    browser.login(a)
    sid = browser.session(a)["user"]["sid"]
    assert browser.session(b)["user"]["sid"] == sid
    assert setup.keys("s")

    queued = setup.tenant.end_sessions(ALICE)
    assert sid in [delivery.sid for delivery in queued]
    assert {delivery.uri for delivery in queued} == {b.url + "/backchannel-logout"}
    delivered = setup.tenant.deliver_pending(send_over_http)  # over HTTP, to B only
    assert [d.id for d in delivered] == [d.id for d in queued]
    assert [d.result.status if d.result else None for d in delivered] == [200] * len(queued)

    assert browser.session(a) is None
    assert browser.session(b) is None
    assert setup.keys("s") == []  # the record is gone from Redis


def test_concurrent_refreshes_across_both_instances_cost_one_refresh(apps: Any) -> None:
    setup, a, b = apps
    browser = Browser()
    browser.login(b)
    assert API not in browser.session(a)["audiences"]
    before = setup.gate.refreshes()
    setup.gate.delay = 0.5  # the refresh is slow: every request arrives while it is under way

    started = time.monotonic()
    answers = token_requests([(browser, a), (browser, b)] * 5, API)
    elapsed = time.monotonic() - started
    setup.gate.delay = 0.0

    (token,) = access_tokens(answers)
    assert setup.gate.refreshes() - before == 1
    assert elapsed < 5, elapsed
    assert not setup.keys("lock")  # released
    for instance in (a, b):
        assert API in browser.session(instance)["audiences"]
        assert browser.json(instance.url + f"/token?audience={API}")["access_token"] == token
    assert setup.gate.refreshes() - before == 1  # cached on both

    # The session holds the refresh token that refresh rotated in, alive: one more refresh (for
    # another API) works. Had a follower presented the rotated-out token, the tenant would have
    # revoked the family, and this would be invalid_grant.
    my_account = setup.tenant_url + "/me/"
    again = token_requests([(browser, a), (browser, b)], my_account)
    assert len(access_tokens(again)) == 1
    assert setup.gate.refreshes() - before == 2


def test_lock_holders_killed_mid_refresh_free_their_sessions_after_the_ttl(apps: Any) -> None:
    """A sync and an async instance each take a session's refresh lock and are killed (SIGKILL)
    while their refresh is out; A and B, asked for both sessions' tokens, wait for the locks to
    expire (15 s, the default refresh_lock_ttl), then one refresh per session."""
    setup, a, b = apps
    victims = [setup.start("sync", free_port()), setup.start("async", free_port())]
    for victim in victims:
        victim.wait_ready()
    browsers = [Browser(), Browser()]
    assert browsers[0].login(a) == ALICE
    assert browsers[1].login(b, "bob") == "auth0|bob"
    before = setup.gate.refreshes()

    failed: list[BaseException] = []

    def doomed(browser: Browser, victim: Instance) -> None:
        try:
            browser.get(victim.url + f"/token?audience={API}")
        except httpx.HTTPError as error:  # the process dies under it
            failed.append(error)

    requests: list[threading.Thread] = []
    expiries: list[float] = []  # time.monotonic() at which each session's lock expires
    with setup.redis.client() as raw:
        for browser, victim in zip(browsers, victims, strict=True):
            known = set(setup.keys("lock"))
            setup.gate.hold = 1
            requests.append(threading.Thread(target=doomed, args=(browser, victim)))
            requests[-1].start()
            assert setup.gate.held.acquire(timeout=10), victim.output()  # its refresh is out
            (lock,) = set(setup.keys("lock")) - known  # the victim holds the session's lock
            remaining = raw.pttl(lock) / 1000
            expiries.append(time.monotonic() + remaining)
            assert LOCK_TTL - 1 < remaining <= LOCK_TTL
    for victim in victims:
        victim.kill()
    for request in requests:
        request.join(10)
        assert not request.is_alive()
    assert len(failed) == 2

    calls = [(browser, instance) for browser in browsers for instance in (a, b)]
    answers = token_requests(calls, API)  # all four wait for the dead holders' locks
    for index, expiry in enumerate(expiries):
        mine = answers[2 * index : 2 * index + 2]
        assert len(access_tokens(mine)) == 1  # A and B answer the same token
        for _, answered in mine:
            assert expiry - 0.1 <= answered <= expiry + 2, (expiry, answered)
    assert setup.gate.refreshes() - before == 2  # one per session; the victims' never arrived
    setup.gate.release.set()
    assert setup.keys("lock") == []
    for browser, (answer, _) in zip(browsers, answers[::2], strict=True):
        token = answer.json()["access_token"]
        assert browser.json(b.url + f"/token?audience={API}")["access_token"] == token
        assert API in browser.session(a)["audiences"]
    assert setup.gate.refreshes() - before == 2
