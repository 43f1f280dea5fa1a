"""The ``Auth0-Client`` telemetry header (protocol doc §0.2), sent only to the tenant."""

from __future__ import annotations

import base64
import json
import platform
from functools import cache

from ._version import __version__


@cache
def auth0_client_header() -> tuple[str, str]:
    """``Auth0-Client: base64(JSON)`` with the standard alphabet and padding."""
    info = {
        "name": "auth0-core",
        "version": __version__,
        "env": {"python": platform.python_version()},
    }
    encoded = base64.b64encode(json.dumps(info).encode("utf-8")).decode("ascii")
    return ("Auth0-Client", encoded)
