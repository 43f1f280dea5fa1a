"""The error classes, as ``from auth0_anyio.error import Auth0Error, MyAccountApiError`` (the
official SDK's ``auth0_server_python.error``); they are :mod:`auth0_core.errors`'s."""

from auth0_core.errors import *  # noqa: F403 - the whole tree, under the official module name
from auth0_core.errors import __all__ as __all__
