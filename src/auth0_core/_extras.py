"""Which pip extra provides which third-party package, and the check each adapter runs first.

The adapters import their transport at module level; without this check a user who installed
``auth0-core`` without the right extra would see a bare ``ModuleNotFoundError: requests`` and
have to guess the fix. The check looks the package up without importing it.
"""

from __future__ import annotations

from importlib.util import find_spec

from .errors import MissingExtraError


def require_extra(feature: str, extra: str, *packages: str) -> None:
    """Raise :class:`MissingExtraError` naming ``extra`` when any of ``packages`` is missing.

    ``feature`` says what needs them, as the first words of the message ("auth0_requests").
    """
    for package in packages:
        if find_spec(package) is None:
            raise MissingExtraError(feature, package, extra)
