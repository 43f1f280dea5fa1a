"""The public effect contract: ``auth0_core.effects``, and the one driver loop, run and arun.

Whatever ends a run (its value, an error from ``perform``, a cancellation), the flow is closed
on the way out; a flow that yields a non-effect gets a TypeError before ``perform`` sees it.
The example in docs/architecture.md ("Embedding the core") is run here through a whole login.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Generator
from pathlib import Path
from typing import Any

import anyio
import pytest

import auth0_core
import auth0_core._effects
import auth0_core.effects
from auth0_core._client import CoreClient
from auth0_core._config import make_config
from auth0_core.effects import Effect, Flow, HttpRequest, HttpResponse, StoreGet, arun, run
from auth0_core.errors import TransportError
from auth0_core.flows import api
from auth0_core.tenant import Tenant, TenantConfig, browser_login_flow
from auth0_tenant_server import ServerThread

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
REQUEST = HttpRequest(method="GET", url="https://tenant.example/userinfo")
READ = StoreGet(store="state", identifier="session")


class Interrupt(BaseException):
    """Not an Exception, like KeyboardInterrupt or a cancellation."""


def recorded_flow(events: list[str]) -> Flow[str]:
    """Yields a request and a store read; records what it was sent and that its finally ran."""
    try:
        response = yield REQUEST
        events.append(f"response {response!r}")
        record = yield READ
        events.append(f"record {record!r}")
        return "done"
    except Exception as error:  # run must not throw perform's errors into the flow
        events.append(f"flow saw {type(error).__name__}")
        raise
    finally:
        events.append("finally")


def answer(effect: Effect) -> object:
    return HttpResponse(status=200) if isinstance(effect, HttpRequest) else {"sub": "alice"}


# What recorded_flow records when every effect is answered by answer().
ANSWERED = [f"response {HttpResponse(status=200)!r}", "record {'sub': 'alice'}", "finally"]


def test_run_sends_each_result_back_and_returns_the_flow_value() -> None:
    events: list[str] = []
    seen: list[Effect] = []

    def perform(effect: Effect) -> object:
        seen.append(effect)
        return answer(effect)

    flow = recorded_flow(events)
    assert run(flow, perform) == "done"
    assert seen == [REQUEST, READ]
    assert events == ANSWERED
    assert inspect.getgeneratorstate(flow) == inspect.GEN_CLOSED


def test_run_of_a_flow_without_effects_never_calls_perform() -> None:
    def no_effects() -> Flow[int]:
        return 7
        yield  # a generator all the same

    def perform(effect: Effect) -> object:
        raise AssertionError(f"perform called with {effect!r}")

    assert run(no_effects(), perform) == 7


@pytest.mark.parametrize("error", [RuntimeError("no route to host"), Interrupt()])
def test_an_error_from_perform_propagates_unchanged_and_closes_the_flow(
    error: BaseException,
) -> None:
    events: list[str] = []

    def perform(effect: Effect) -> object:
        raise error

    flow = recorded_flow(events)
    with pytest.raises(type(error)) as raised:
        run(flow, perform)
    assert raised.value is error
    assert events == ["finally"]  # closed, not thrown into: the flow's except never saw it
    assert inspect.getgeneratorstate(flow) == inspect.GEN_CLOSED


def test_an_error_from_the_flow_propagates() -> None:
    def failing() -> Flow[None]:
        yield REQUEST
        raise LookupError("no such user")

    with pytest.raises(LookupError, match="no such user"):
        run(failing(), answer)


def test_a_flow_yielding_a_non_effect_gets_a_type_error_naming_only_its_type() -> None:
    events: list[str] = []

    def stray() -> Generator[object, object, None]:
        try:
            yield {"refresh_token": "rt-secret-value"}
        finally:
            events.append("finally")

    performed: list[Effect] = []
    flow: Any = stray()
    with pytest.raises(TypeError, match=r"yielded a dict, which is not an effect") as raised:
        run(flow, lambda effect: performed.append(effect))
    assert "rt-secret-value" not in str(raised.value)
    assert performed == []
    assert events == ["finally"]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


def awaited(perform: Callable[[Effect], object]) -> Callable[[Effect], Awaitable[object]]:
    async def perform_async(effect: Effect) -> object:
        await anyio.lowlevel.checkpoint()
        return perform(effect)

    return perform_async


@pytest.mark.anyio
async def test_arun_sends_each_result_back_and_returns_the_flow_value() -> None:
    events: list[str] = []
    flow = recorded_flow(events)
    assert await arun(flow, awaited(answer)) == "done"
    assert events == ANSWERED


@pytest.mark.anyio
async def test_arun_cancelled_while_awaiting_perform_closes_the_flow() -> None:
    events: list[str] = []
    flow = recorded_flow(events)
    with anyio.CancelScope() as scope:

        async def perform(effect: Effect) -> object:
            scope.cancel()  # asyncio: CancelledError; trio: Cancelled, at the next await
            await anyio.sleep_forever()
            raise AssertionError("perform was not cancelled")

        await arun(flow, perform)
    assert scope.cancelled_caught
    assert events == ["finally"]
    assert inspect.getgeneratorstate(flow) == inspect.GEN_CLOSED


@pytest.mark.anyio
async def test_arun_error_from_perform_propagates_and_closes_the_flow() -> None:
    events: list[str] = []
    flow = recorded_flow(events)

    async def perform(effect: Effect) -> object:
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        await arun(flow, perform)
    assert events == ["finally"]
    assert inspect.getgeneratorstate(flow) == inspect.GEN_CLOSED


@pytest.mark.anyio
async def test_arun_refuses_a_non_effect() -> None:
    def stray() -> Generator[object, object, None]:
        yield "GET /userinfo"

    flow: Any = stray()
    with pytest.raises(TypeError, match=r"yielded a str, which is not an effect"):
        await arun(flow, awaited(answer))
    assert inspect.getgeneratorstate(flow) == inspect.GEN_CLOSED


def test_the_public_names_are_pinned_and_shared_with_the_core() -> None:
    effects = auth0_core.effects
    assert effects.__all__ == [
        "Effect",
        "Flow",
        "HttpRequest",
        "HttpResponse",
        "ResolveDomain",
        "SharedRequest",
        "Sleep",
        "StoreClaim",
        "StoreDelete",
        "StoreDeleteByLogoutToken",
        "StoreEffect",
        "StoreGet",
        "StoreKind",
        "StoreLock",
        "StoreOptions",
        "StoreSet",
        "StoreUnlock",
        "arun",
        "run",
    ]
    assert effects.HttpRequest is auth0_core.HttpRequest
    assert effects.HttpResponse is auth0_core.HttpResponse
    shared = ("Effect", "Flow", "SharedRequest", "StoreDelete", "StoreGet", "StoreSet")
    for name in (
        *shared,
        "StoreClaim",
        "StoreLock",
        "StoreUnlock",
        "StoreDeleteByLogoutToken",
        "Sleep",
    ):
        assert getattr(auth0_core._effects, name) is getattr(effects, name), name


def embedding_example() -> dict[str, Any]:
    """The first code block of "Embedding the core", executed: its ``send`` and ``perform``."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Embedding the core", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "no python block in 'Embedding the core'"
    namespace: dict[str, Any] = {}
    exec(compile(match.group(1), f"{ARCHITECTURE}:embedding", "exec"), namespace)
    return namespace


def test_the_documented_urllib_embedding_logs_in_against_the_served_tenant() -> None:
    example = embedding_example()
    perform: Callable[[Effect], object] = example["perform"]
    with ServerThread(
        make_handler=lambda base_url: Tenant(TenantConfig.default(), base_url=base_url).handle
    ) as server:
        client = CoreClient(
            make_config(
                domain=server.base_url,
                client_id="demo-client",
                client_secret="demo-client-secret-please-change-0123456789",
                secret="a-session-secret-of-at-least-32-characters",
                authorization_params={"redirect_uri": "http://127.0.0.1:3000/auth/callback"},
            )
        )
        login_url = run(api.start_interactive_login(client), perform)
        # The browser's 302 back to the app arrives as a response: redirects are not followed.
        browser = browser_login_flow(login_url, "alice@example.com", "alice-password")
        callback = run(browser, perform)
        run(api.complete_interactive_login(client, callback), perform)
        user = run(api.get_user(client), perform)
        assert user is not None
        assert user["email"] == "alice@example.com"
        # No answer at all is a TransportError, as from the facades.
        closed = HttpRequest(method="GET", url=f"{server.base_url}/userinfo")
    with pytest.raises(TransportError, match=r"^GET failed: URLError$"):
        example["send"](closed)
