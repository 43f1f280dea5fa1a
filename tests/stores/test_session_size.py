"""A typical session seals no larger with ours than with the official auth0-server-python 1.0.0b20
(issue 14, item 4), and each SDK still opens the other's.

Both SDKs log alice in on the same emulated tenant, served over HTTPS (the official SDK only
speaks https) with the same scope: ours through the e2e harness' login into a
:class:`CookieStateStore`, the official one through its own login into a store that seals as
its cookie stores do. The official session is the smaller shape in every way but one: its ID
token carries no ``nonce`` (it sends none), ours does, so the comparison leans its way.
"""

from __future__ import annotations

import base64
import json
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from auth0_server_python import encryption as official  # type: ignore[import-untyped]

from auth0_core import FixedClock
from auth0_core._seal import unseal, unseal_plaintext
from auth0_core.stores import CookieRequest, CookieStateStore
from auth0_core.tenant import Tenant, TenantConfig
from auth0_tenant_server._server import ServerThread

from ..e2e.conftest import App
from ..interop.test_official_sdk_against_tenant import (
    SECRET,
    SealingStore,
    Served,
    login,
    official_client,
)

IDENTIFIER = "_a0_session"


@pytest.fixture(scope="module")
def https_tenant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    ca = trustme.CA()
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ssl)
    trust = ssl.create_default_context()
    ca.configure_trust(trust)
    ca_pem = str(Path(tmp_path_factory.mktemp("ca")) / "ca.pem")
    ca.cert_pem.write_to_path(ca_pem)
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(TenantConfig.default(), base_url=base_url))
        return tenants[0].handle

    with ServerThread(make_handler=make_handler, ssl_context=server_ssl) as server:
        yield Served(tenants[0], server.base_url, ca_pem, trust)


@pytest.fixture
def trusted(https_tenant: Served, monkeypatch: pytest.MonkeyPatch) -> Served:
    """httpx (the official SDK, the harness' browser) and requests (ours) trust the test CA."""
    monkeypatch.setenv("SSL_CERT_FILE", https_tenant.ca_pem)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", https_tenant.ca_pem)
    return https_tenant


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the official SDK is asyncio-only


async def our_sealed_session(served: Served) -> str:
    """alice logs in through the e2e harness (sync client, cookie store): the sealed session."""
    clock = FixedClock(int(time.time()))
    app = App(
        "sync-loopback",
        served.tenant,
        served.base_url,
        clock,
        state_store=CookieStateStore(SECRET, secure=False),
    )
    await app.login()
    chunks = sorted(name for name in app.browser.cookies if name.startswith(IDENTIFIER + "_"))
    assert chunks == [f"{IDENTIFIER}_{i}" for i in range(len(chunks))]
    return "".join(app.browser.cookies[name] for name in chunks)


async def official_sealed_session(served: Served) -> tuple[str, Any]:
    """alice logs in through the official SDK: its sealed session, and the client."""
    store = SealingStore()
    client = official_client(served, state_store=store)
    await login(served, client)
    sealed: str = store.data[IDENTIFIER]
    return sealed, client


def claims_of(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    value: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return value


@pytest.mark.anyio
async def test_a_typical_session_seals_no_larger_than_the_officials(trusted: Served) -> None:
    ours = await our_sealed_session(trusted)
    theirs, _ = await official_sealed_session(trusted)
    session = unseal(ours, [SECRET], IDENTIFIER)
    their_session = unseal(theirs, [SECRET], IDENTIFIER)
    # The same user and claims from the same tenant...
    assert session["user"]["sub"] == their_session["user"]["sub"] == "auth0|alice"
    assert session["token_sets"][0]["scope"] == their_session["token_sets"][0]["scope"]
    # ...ours sealed in no more characters, within one cookie
    assert len(ours) <= len(theirs), (len(ours), len(theirs))
    assert len(ours) <= CookieStateStore(SECRET).chunk_size
    # What went: user.nonce (checked at login: the ID token holds it), requested_scope equal
    # to scope, and the spaces after "," and ":".
    assert "nonce" not in session["user"]
    assert claims_of(session["id_token"])["nonce"]
    assert "requested_scope" not in session["token_sets"][0]
    plaintext = unseal_plaintext(ours, [SECRET], IDENTIFIER)
    assert plaintext == json.dumps(session, separators=(",", ":")).encode()


@pytest.mark.anyio
async def test_our_typical_session_opens_in_the_official_sdk(trusted: Served) -> None:
    ours = await our_sealed_session(trusted)
    session = unseal(ours, [SECRET], IDENTIFIER)
    assert official.decrypt(ours, SECRET, IDENTIFIER) == session
    store = SealingStore()
    client = official_client(trusted, state_store=store)
    store.data[IDENTIFIER] = ours  # as its cookie store would hand it over
    theirs = await client.get_session()
    assert theirs["user"] == session["user"]
    assert theirs["id_token"] == session["id_token"]
    assert theirs["refresh_token"] == session["refresh_token"]
    assert await client.get_access_token() == session["token_sets"][0]["access_token"]
    assert await client.get_user() == session["user"]


@pytest.mark.anyio
async def test_a_typical_official_session_still_reads_here(trusted: Served) -> None:
    theirs, client = await official_sealed_session(trusted)
    ours = CookieStateStore(SECRET, secure=False).get(
        IDENTIFIER, options={"request": CookieRequest({f"{IDENTIFIER}_0": theirs})}
    )
    assert ours == official.decrypt(theirs, SECRET, IDENTIFIER)
    assert ours is not None
    assert ours["user"] == await client.get_user()
