"""The e2e harness (every adapter and transport), for the compatibility tests."""

from ..e2e.conftest import (  # noqa: F401 - fixtures
    anyio_backend,
    app,
    fresh_user_directory,
    mode,
    served,
)
