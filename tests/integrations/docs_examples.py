"""The examples of docs/starlette.md, docs/flask.md and docs/django.md, as the tests run them:
each ```python block whose first line is ``# example: NAME`` is the file NAME. They read
their configuration from the environment and talk to a tenant served on loopback, so they
run exactly as written."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from auth0_core import HttpRequest, HttpResponse
from auth0_core.effects import Effect, run
from auth0_core.tenant import browser_login_flow

DOCS = Path(__file__).resolve().parents[2] / "docs"
_BLOCK = re.compile(r"```python\n# example: (\S+)\n(.*?)```", re.S)

# (status, Location, body) of one GET through the framework's client.
Get = Callable[[str], Awaitable[tuple[int, str | None, str]]]


def examples(doc: str) -> dict[str, str]:
    """``{file name: code}`` of the examples in ``docs/<doc>``."""
    return {
        name: f"# example: {name}\n{code}"
        for name, code in _BLOCK.findall((DOCS / doc).read_text())
    }


def write_examples(doc: str, folder: Path) -> dict[str, Path]:
    written = {}
    for name, code in examples(doc).items():
        written[name] = folder / name
        written[name].write_text(code)
    return written


def environment(tenant_url: str) -> dict[str, str]:
    """What the examples read: the served tenant's demo client."""
    from .helpers import CLIENT_ID, CLIENT_SECRET, SECRET

    return {
        "AUTH0_DOMAIN": tenant_url,
        "AUTH0_CLIENT_ID": CLIENT_ID,
        "AUTH0_CLIENT_SECRET": CLIENT_SECRET,
        "AUTH0_SECRET": SECRET,
        "DJANGO_SECRET_KEY": "django-example-key-not-a-secret",
    }


def http_login(authorize_url: str) -> str:
    """The user's browser on the served tenant's login page, over HTTP, as alice; returns the
    callback URL the tenant redirects to."""
    with httpx.Client() as http:

        def perform(effect: Effect) -> HttpResponse:
            assert isinstance(effect, HttpRequest), effect
            answer = http.request(
                effect.method, effect.url, headers=list(effect.headers), content=effect.body
            )
            return HttpResponse(
                status=answer.status_code,
                headers=tuple(answer.headers.multi_items()),
                body=answer.content,
            )

        flow = browser_login_flow(authorize_url, "alice@example.com", "alice-password")
        return str(run(flow, perform))


async def walk(get: Get, tenant_url: str) -> None:
    """A visitor of an example app: the protected page sends them to log in, the tenant's
    form, back to the page, the API route with a token, logout, and the API refuses again."""
    status, location, _ = await get("/profile")
    assert status == 302
    assert location == "/auth/login?returnTo=%2Fprofile"
    status, location, _ = await get(location)
    assert status == 302
    assert location is not None
    assert location.startswith(f"{tenant_url}/authorize")
    status, location, text = await get(http_login(location))
    assert status == 302, text
    assert location == "/profile"
    status, _, text = await get("/profile")
    assert status == 200
    assert json.loads(text) == {"sub": "auth0|alice", "email": "alice@example.com"}
    status, _, text = await get("/api/orders")
    assert status == 200
    assert json.loads(text)["token_length"] > 20
    status, location, _ = await get("/auth/logout")
    assert status == 302
    assert location is not None
    assert location.startswith(tenant_url)
    status, _, _ = await get("/api/orders")
    assert status == 401
