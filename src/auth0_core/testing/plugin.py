"""The pytest plugin of :mod:`auth0_core.testing` (entry point ``auth0_core``, group ``pytest11``).

Loaded by pytest in every project that has auth0-core installed, so it must cost nothing to a
suite that does not use it: this module imports only pytest, defines one ini option and five
fixtures (none autouse, every name prefixed ``auth0_``), and the tenant, the tokens and the
browsers are imported when a test first asks for a fixture. Disable it with
``-p no:auth0_core``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from auth0_tenant_server.testing import ServedTenant

    from ._browser import Browser
    from ._config import ConfigSource
    from ._tenant import EmulatedTenant
    from ._tokens import TokenMinter

INI_CONFIG = "auth0_tenant_config"
SERVED = "auth0_served_tenant"
IN_PROCESS = "auth0_tenant"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        INI_CONFIG,
        "auth0_core.testing: the emulated tenant's TOML configuration (a path relative to the "
        "rootdir); default: the packaged default tenant",
        type="string",
        default="",
    )


@pytest.fixture
def auth0_tenant_config(request: pytest.FixtureRequest) -> ConfigSource:
    """The configuration of the test's emulated tenant: override this fixture to return a
    dict (shaped like the TOML document), the path of a TOML file or a ``TenantConfig``.

    Default: the ``auth0_tenant_config`` ini option (a path relative to the rootdir), else
    None, the packaged default tenant (``docs/tenant.md``).
    """
    value = str(request.config.getini(INI_CONFIG) or "")
    return request.config.rootpath / value if value else None


@pytest.fixture
def auth0_tenant(auth0_tenant_config: ConfigSource) -> EmulatedTenant:
    """A fresh emulated tenant for the test, answering in process at
    ``https://tenant.example``: pass ``auth0_tenant.requests_session()`` or
    ``auth0_tenant.httpx_client()`` to a ``ServerClient`` and no socket is opened."""
    from ._tenant import EmulatedTenant

    return EmulatedTenant.create(auth0_tenant_config)


@pytest.fixture
def auth0_served_tenant(auth0_tenant_config: ConfigSource) -> Iterator[ServedTenant]:
    """A fresh emulated tenant served over HTTP on a free loopback port for the test
    (``auth0_served_tenant.base_url``), stopped after it. Needs the ``tenant`` extra."""
    from ._tenant import EmulatedTenant

    with EmulatedTenant.serve(auth0_tenant_config) as served:
        yield served


def _test_tenant(request: pytest.FixtureRequest) -> EmulatedTenant:
    """The tenant the test uses: the served one when the test (or a fixture it uses) asked
    for ``auth0_served_tenant``, else the in-process one."""
    name = SERVED if SERVED in request.fixturenames else IN_PROCESS
    tenant: EmulatedTenant = request.getfixturevalue(name)
    return tenant


@pytest.fixture
def auth0_tokens(request: pytest.FixtureRequest) -> TokenMinter:
    """Mint tokens the test's tenant would issue: ``access_token(audience, user=...)``,
    ``id_token(user, ...)``, ``logout_token(user, sid=...)``, ``machine_token(audience)``."""
    return _test_tenant(request).tokens


BrowserFactory = Callable[..., "Browser"]


@pytest.fixture
def auth0_browser(request: pytest.FixtureRequest) -> Iterator[BrowserFactory]:
    """Open scripted browsers: ``auth0_browser(app)`` with a WSGI app, an ASGI app or a live
    URL (``app_url=``, ``lifespan=``, ``backend=`` as ``EmulatedTenant.browser``; ``tenant=``
    to pick one, else the test's). Every browser opened is closed after the test."""
    opened: list[Browser] = []

    def open_browser(app: object = None, *, tenant: Any = None, **options: Any) -> Browser:
        chosen = tenant if tenant is not None else _test_tenant(request)
        browser = chosen.browser(app, **options)
        opened.append(browser)
        return browser

    yield open_browser
    for browser in reversed(opened):
        browser.close()
