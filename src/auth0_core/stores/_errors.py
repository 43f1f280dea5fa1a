"""The errors only the stores raise; they live in :mod:`auth0_core.errors` with all the others."""

from __future__ import annotations

from ..errors import CookieTooLargeError, MissingStoreOptionsError, StoreNotSupportedError

__all__ = ["CookieTooLargeError", "MissingStoreOptionsError", "StoreNotSupportedError"]
