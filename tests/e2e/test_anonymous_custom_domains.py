"""Anonymous sessions with Multiple Custom Domains, in every mode: a session belongs to the
domain it was created on (recorded as ``domain``, as the official 1.0.0b20 records it). On
another domain ``get_session`` answers None, ``get_token`` creates a new session there, and
no login of another domain carries it over."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import requests

import auth0_anyio
import auth0_requests
from auth0_core import Env
from auth0_core.auth_types import DomainResolverContext
from auth0_core.stores import MemoryStateStore

from . import test_custom_domains
from .conftest import CALLBACK, CLIENT_ID, CLIENT_SECRET, SECRET, Browser
from .test_custom_domains import HOSTS, Pair

# The two-tenant fixtures of test_custom_domains, in every mode.
mode = test_custom_domains.mode
anyio_backend = test_custom_domains.anyio_backend
served_pair = test_custom_domains.served_pair
pair = test_custom_domains.pair

pytestmark = pytest.mark.anyio


def with_anonymous_store(pair: Pair) -> Any:
    """``pair``'s client, with an anonymous store."""
    options: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "secret": SECRET,
        "authorization_params": {"redirect_uri": CALLBACK},
        "env": Env(clock=pair.clock),
        "anonymous_store": MemoryStateStore(clock=pair.clock),
    }
    inprocess = pair.mode.endswith("inprocess")
    if pair.mode.startswith("sync"):
        session = requests.Session()
        if inprocess:
            for base in pair.by_base:
                session.mount(base, auth0_requests.HandlerAdapter(pair.handle))
        return auth0_requests.ServerClient(session=session, domain=pair.resolve, **options)

    async def resolve(context: DomainResolverContext) -> str:
        return pair.resolve(context)

    transport = auth0_anyio.handler_transport(pair.handle) if inprocess else None
    return auth0_anyio.ServerClient(
        http_client=httpx.AsyncClient(transport=transport), domain=resolve, **options
    )


async def anon(pair: Pair, browser: Browser, host: str, method: str, *args: Any, **kw: Any) -> Any:
    store = pair.options(browser, host)
    result = getattr(pair.client.anonymous, method)(*args, store_options=store, **kw)
    if hasattr(result, "__await__"):
        result = await result
    browser.absorb(store)
    return result


async def test_a_session_stays_on_its_domain(pair: Pair) -> None:
    pair.client = with_anonymous_store(pair)
    a, b = (pair.tenants[h] for h in HOSTS)
    browser = Browser()
    on_a = await anon(pair, browser, HOSTS[0], "create_session")
    found = await anon(pair, browser, HOSTS[0], "get_session")
    assert found.domain == urlsplit(a.tenant.base_url).netloc
    assert found.sub == on_a.sub
    # The same cookies on the other domain: no session there, and a token means a new one.
    assert await anon(pair, browser, HOSTS[1], "get_session") is None
    on_b = await anon(pair, browser, HOSTS[1], "get_token")
    assert on_b.sub != on_a.sub
    assert (await anon(pair, browser, HOSTS[1], "get_session")).domain == urlsplit(
        b.tenant.base_url
    ).netloc
    # A login on domain A does not carry B's session over; one on B does.
    url_a = await pair.run(browser, HOSTS[0], "start_interactive_login")
    assert "anon_transfer_token" not in parse_qs(urlsplit(url_a).query)
    url_b = await pair.run(browser, HOSTS[1], "start_interactive_login")
    assert "anon_transfer_token" in parse_qs(urlsplit(url_b).query)
    assert url_b.startswith(b.tenant.base_url + "/")
