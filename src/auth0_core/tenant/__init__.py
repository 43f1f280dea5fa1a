"""The emulated Auth0 tenant (pure): configuration, the ``Tenant`` model and a scripted login.

This package's face: ``Tenant`` holds a :mod:`.state`, :mod:`.routes` maps requests to the
endpoints of :mod:`.authentication`, :mod:`.management` and :mod:`.my_account`, and
:mod:`.outbox` keeps what the tenant sends. No module of the package imports this face.

Example::

    from auth0_core.tenant import Tenant, TenantConfig

    tenant = Tenant(TenantConfig.default(), base_url="https://tenant.example")
    response = tenant.handle(request)  # HttpRequest -> HttpResponse, no sockets

See ``docs/tenant.md`` for the endpoints, the configuration keys and the test hooks.
"""

from .browser import (
    BrowserConnectError,
    BrowserLoginError,
    browser_connect_flow,
    browser_deny_connect_flow,
    browser_login_flow,
    browser_logout_flow,
)
from .config import (
    AssertionCredential,
    ClientGrant,
    ConnectedAccount,
    ConnectedAccountConnection,
    DpopSettings,
    MrrtPolicy,
    MyAccountSettings,
    RefreshTokenSettings,
    TenantApi,
    TenantClient,
    TenantConfig,
    TenantConnection,
    TenantOrganization,
    TenantUser,
    load_config,
)
from .keys import generate_signing_key
from .outbox import DeliveryResult, LogoutDelivery
from .records import AcceptedAssertion, LogEntry
from .refresh_store import RefreshTokenState
from .settings import TenantSettings
from .state import IdTokenHook
from .tenant import Tenant

__all__ = [
    "AcceptedAssertion",
    "AssertionCredential",
    "BrowserConnectError",
    "BrowserLoginError",
    "ClientGrant",
    "ConnectedAccount",
    "ConnectedAccountConnection",
    "DeliveryResult",
    "DpopSettings",
    "IdTokenHook",
    "LogEntry",
    "LogoutDelivery",
    "MrrtPolicy",
    "MyAccountSettings",
    "RefreshTokenSettings",
    "RefreshTokenState",
    "Tenant",
    "TenantApi",
    "TenantClient",
    "TenantConfig",
    "TenantConnection",
    "TenantOrganization",
    "TenantSettings",
    "TenantUser",
    "browser_connect_flow",
    "browser_deny_connect_flow",
    "browser_login_flow",
    "browser_logout_flow",
    "generate_signing_key",
    "load_config",
]
