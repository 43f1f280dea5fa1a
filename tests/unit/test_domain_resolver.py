"""The domain resolver (Multiple Custom Domains, docs/custom-domains.md): its context, the
validation of its answer, and one core client (and caches) per resolved domain."""

from __future__ import annotations

from typing import Any

import pytest

import auth0_anyio
import auth0_requests
from auth0_core._client import MAX_DOMAINS, CoreClient
from auth0_core._config import make_config
from auth0_core._domains import (
    DomainResolverContext,
    resolved_base_url,
    resolved_flow,
    resolver_context,
)
from auth0_core.effects import ResolveDomain
from auth0_core.errors import ConfigurationError, DomainResolverError
from auth0_core.stores import CookieRequest

SECRET = "a-session-secret-of-at-least-32-characters"


def options(domain: Any) -> dict[str, Any]:
    return {"domain": domain, "client_id": "c", "client_secret": "s", "secret": SECRET}


def test_a_callable_domain_is_a_resolver() -> None:
    def resolver(context: DomainResolverContext) -> str:
        return "a.example"

    config = make_config(**options(resolver))
    assert config.domain_resolver is resolver
    assert config.base_url == ""
    assert "resolver" not in repr(config)
    with pytest.raises(ConfigurationError, match="'domain' is required"):
        make_config(**options(""))


def test_the_context_comes_from_the_request() -> None:
    request = CookieRequest({}, url="https://App.example/login", headers={"Host": "App.example"})
    context = resolver_context({"request": request})
    assert context.request_url == "https://App.example/login"
    assert context.request_headers == {"host": "App.example"}
    assert context.host == "app.example"
    assert resolver_context(None) == DomainResolverContext()
    assert resolver_context({"request": CookieRequest({})}).host is None
    assert DomainResolverContext(request_url="https://x.example:8443/a").host == "x.example:8443"
    assert DomainResolverContext(request_url="https://[x.example/a").host is None


@pytest.mark.parametrize(
    ("answer", "base_url"),
    [
        ("tenant.example", "https://tenant.example"),
        ("https://Tenant.example/", "https://tenant.example"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
    ],
)
def test_good_answers(answer: str, base_url: str) -> None:
    assert resolved_base_url(answer) == base_url


@pytest.mark.parametrize(
    "answer",
    [
        None,
        42,
        b"tenant.example",
        "",
        "   ",
        "https://t.example/path",
        "http://t.example",
        "https://user@t.example",
        "ftp://t.example",
    ],
)
def test_garbage_answers_raise(answer: object) -> None:
    with pytest.raises(DomainResolverError):
        resolved_base_url(answer)


def test_one_client_per_domain_bounded() -> None:
    root = CoreClient(make_config(**options(lambda context: "a.example")))
    a = root.for_domain("https://a.example")
    assert a is root.for_domain("https://a.example")
    assert a.config.base_url == "https://a.example"
    assert a.metadata_cache is not root.for_domain("https://b.example").metadata_cache
    assert a.for_domain("https://b.example") is root.for_domain("https://b.example")
    assert root.for_host("a.example") is a
    assert root.for_host("127.0.0.1:9").config.base_url == "http://127.0.0.1:9"
    for n in range(MAX_DOMAINS + 5):
        root.for_domain(f"https://t{n}.example")
    assert len(root._domains) == MAX_DOMAINS
    static = CoreClient(make_config(**options("s.example")))
    assert static.for_domain("https://other.example") is static


def test_resolved_flow_runs_on_the_resolved_client() -> None:
    root = CoreClient(make_config(**options(lambda context: "x")))
    seen: list[CoreClient] = []

    def build(client: CoreClient) -> Any:
        seen.append(client)
        return "done"
        yield  # a generator

    flow = resolved_flow(root, build, {"request": CookieRequest({}, headers={"host": "h"})})
    effect = next(flow)
    assert isinstance(effect, ResolveDomain)
    assert effect.context.host == "h"
    with pytest.raises(StopIteration) as done:
        flow.send("b.example")
    assert done.value.value == "done"
    assert seen[0].config.base_url == "https://b.example"
    flow = resolved_flow(root, build, None)
    next(flow)
    with pytest.raises(DomainResolverError):
        flow.send(["b.example"])


def test_sync_client_resolver_errors() -> None:
    def broken(context: DomainResolverContext) -> str:
        raise KeyError("nope")

    client = auth0_requests.ServerClient(**options(broken))
    with pytest.raises(DomainResolverError) as caught:
        client.get_user({"request": CookieRequest({})})
    assert isinstance(caught.value.original_error, KeyError)

    async def later(context: DomainResolverContext) -> str:
        return "a.example"

    client = auth0_requests.ServerClient(**options(later))
    with pytest.raises(ConfigurationError, match="async domain resolver"):
        client.get_user({"request": CookieRequest({})})
    client = auth0_requests.ServerClient(**options(lambda context: 7))
    with pytest.raises(DomainResolverError, match="returned a int"):
        client.get_user({"request": CookieRequest({})})


@pytest.mark.anyio
async def test_async_client_awaits_the_resolver_and_wraps_its_errors() -> None:
    async def broken(context: DomainResolverContext) -> str:
        raise RuntimeError("down")

    client = auth0_anyio.ServerClient(**options(broken))
    with pytest.raises(DomainResolverError) as caught:
        await client.get_user({"request": CookieRequest({})})
    assert isinstance(caught.value.original_error, RuntimeError)
    seen: list[str | None] = []

    async def resolver(context: DomainResolverContext) -> str:
        seen.append(context.host)
        return "a.example"

    client = auth0_anyio.ServerClient(**options(resolver))
    store = {"request": CookieRequest({}, headers={"host": "app.example"})}
    assert await client.get_user(store) is None  # no session: no request to the tenant
    assert seen == ["app.example"]
