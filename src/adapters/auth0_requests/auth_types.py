"""The option and result types, as ``from auth0_requests.auth_types import LogoutOptions`` (the
official SDK's ``auth0_server_python.auth_types``); they are :mod:`auth0_core.auth_types`'s."""

from auth0_core.auth_types import *  # noqa: F403 - under the official module name
from auth0_core.auth_types import __all__ as __all__
