"""auth0-core: every server-side Auth0 flow as a pure, sans-IO state machine."""

from ._env import Env, FixedClock
from ._http import HttpRequest, HttpResponse
from ._version import __version__
from .errors import Auth0Error

__all__ = ["Auth0Error", "Env", "FixedClock", "HttpRequest", "HttpResponse", "__version__"]
