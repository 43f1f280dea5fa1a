"""The error classes and code enums, as ``from auth0_requests.error import AccessTokenError,
AccessTokenErrorCode`` (the official SDK's ``auth0_server_python.error``, every name of it);
they are :mod:`auth0_core.errors`'s, so one ``except`` catches the same class from either."""

from auth0_core.errors import *  # noqa: F403 - the whole tree, under the official module name
from auth0_core.errors import __all__ as __all__
