"""The browser's ASGI sender on raw ASGI apps: the lifespan (startup before the first request,
its state in every request's scope, shutdown when the browser closes, a failed startup as an
error), apps without lifespan support, and the request as the app sees it."""

from __future__ import annotations

from typing import Any

import pytest

from auth0_core.testing import BrowserError, EmulatedTenant

Scope = dict[str, Any]


class App:
    """Records what it is sent; answers each request with its scope's essentials."""

    def __init__(self, *, lifespan: str = "ok") -> None:
        self.lifespan = lifespan
        self.events: list[str] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            if self.lifespan == "unsupported":
                raise ValueError("no lifespan here")
            while True:
                message = await receive()
                self.events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    if self.lifespan == "fails":
                        await send({"type": "lifespan.startup.failed", "message": "no database"})
                        return
                    scope["state"]["db"] = "connected"
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        request = await receive()
        body = (
            f"{scope['method']} {scope['scheme']} {scope['path']} {scope['query_string']!r} "
            f"{dict(scope['headers']).get(b'host')!r} {scope.get('state', {}).get('db')} "
            f"{request['body']!r}"
        )
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"1")]})
        await send({"type": "http.response.body", "body": body.encode()})


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_lifespan_and_a_request(backend: str) -> None:
    app = App()
    browser = EmulatedTenant.create().browser(app, backend=backend)
    assert app.events == ["lifespan.startup"]
    answer = browser.post("/a%20b?x=1", body=b"hi")
    assert answer.header("x-a") == "1"
    assert answer.text == "POST http /a b b'x=1' b'localhost' connected b'hi'"
    browser.close()
    assert app.events == ["lifespan.startup", "lifespan.shutdown"]
    with pytest.raises(BrowserError, match="closed"):
        browser.get("/")
    browser.close()  # idempotent


def test_an_app_without_lifespan_is_served_without() -> None:
    app = App(lifespan="unsupported")
    with EmulatedTenant.create().browser(app) as browser:
        assert browser.get("/").text.endswith(" None b''")


def test_no_lifespan_when_asked_not_to() -> None:
    app = App()
    with EmulatedTenant.create().browser(app, lifespan=False) as browser:
        assert browser.get("/").status == 200
    assert app.events == []


def test_a_failed_startup_is_an_error() -> None:
    with pytest.raises(BrowserError, match="lifespan startup failed: no database"):
        EmulatedTenant.create().browser(App(lifespan="fails"))


@pytest.mark.anyio
async def test_the_browser_from_an_async_test() -> None:
    # The app runs on the browser's own loop; the test's loop only waits for it.
    with EmulatedTenant.create().browser(App()) as browser:
        assert browser.get("/").status == 200
