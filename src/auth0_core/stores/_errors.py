"""Errors only the stores raise (candidates for ``auth0_core.errors`` once stable)."""

from __future__ import annotations

from ..errors import Auth0Error, InvalidArgumentError, MissingRequiredArgumentError


class StoreNotSupportedError(Auth0Error):
    """The store cannot perform this operation (e.g. revoking a stateless cookie session)."""

    code = "store_not_supported"


class CookieTooLargeError(Auth0Error):
    """A value does not fit in the cookies this store may write; use a server-side store."""

    code = "cookie_too_large"


class MissingStoreOptionsError(MissingRequiredArgumentError):
    """A cookie-backed store was called without ``store_options={"request", "response"}``."""

    def __init__(self, store: str, needed: str) -> None:
        # Skip the parent's generic message: say which store needs which object.
        InvalidArgumentError.__init__(
            self,
            "store_options",
            f"{store} reads and writes cookies, so every call needs "
            f"store_options={{'request': ..., 'response': ...}}; missing or unusable: {needed}.",
        )


__all__ = ["CookieTooLargeError", "MissingStoreOptionsError", "StoreNotSupportedError"]
