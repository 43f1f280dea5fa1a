"""Base classes for stores written the official SDK's way (protocol doc §9.5).

auth0-server-python's stores subclass ``StateStore`` / ``TransactionStore``: they are built
with ``super().__init__({"secret": ...})``, implement ``async def set/get/delete`` (and, for
sessions, ``delete_by_logout_token``), and seal what they keep with ``self.encrypt`` /
``self.decrypt``. These classes have the same names, constructor and methods, so such a store
runs here with only its import line changed. ``encrypt``/``decrypt`` are :mod:`auth0_core._seal`:
a value one SDK encrypts, the other decrypts (``tests/compat_stores/test_base_classes.py``).

Beyond the official classes: ``options["secret"]`` may be a list of secrets (the first
encrypts, every one is tried to decrypt), and a value that does not decrypt raises
:class:`~auth0_core.errors.UnsealError` (never showing the value or the secret).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from ..errors import ConfigurationError

T = TypeVar("T")

# Set on the default ``delete_by_logout_token`` so a facade can tell "not implemented" apart
# from a store's own method, and report StoreNotSupportedError before calling it.
NOT_IMPLEMENTED_MARK = "_auth0_core_not_implemented"


class AbstractDataStore(ABC, Generic[T]):
    """What every store shares: the options it was built with and the sealing helpers.

    Args:
        options: the store's options; ``options["secret"]`` (a string, or a list of strings
            for rotation) is what :meth:`encrypt` and :meth:`decrypt` use. It is read when
            they are called, so a store that never encrypts may omit it.
    """

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options

    @abstractmethod
    async def set(
        self,
        identifier: str,
        state: T,
        remove_if_expires: bool = False,
        options: dict[str, Any] | None = None,
    ) -> None:
        """Keep ``state`` under ``identifier``, replacing any previous value.

        ``remove_if_expires`` is the login's hint that the session may be rotated; a store may
        leave the parameter out of its own ``set`` and is then called without it.
        """

    @abstractmethod
    async def get(self, identifier: str, options: dict[str, Any] | None = None) -> T | None:
        """The value kept under ``identifier``, or None."""

    @abstractmethod
    async def delete(self, identifier: str, options: dict[str, Any] | None = None) -> None:
        """Forget ``identifier``; deleting an absent value is not an error."""

    def encrypt(self, identifier: str, state_data: Mapping[str, Any]) -> str:
        """Seal ``state_data`` into a compact JWE, salted with ``identifier``.

        The official SDK's format, byte for byte: its ``decrypt`` opens the result.

        Raises:
            ConfigurationError: the store was built without a usable ``secret``.
            InvalidArgumentError: ``state_data`` is not JSON-serializable or too large.
        """
        from .._seal import seal  # with the first store that seals (issue 14: import time)

        return seal(state_data, self._secrets()[0], identifier)

    def decrypt(self, identifier: str, encrypted_data: str) -> dict[str, Any]:
        """Open a value :meth:`encrypt` (or the official SDK) sealed under ``identifier``.

        Raises:
            ConfigurationError: the store was built without a usable ``secret``.
            UnsealError: the value is malformed, tampered or sealed with another secret or
                identifier.
        """
        from .._seal import unseal

        return unseal(encrypted_data, self._secrets(), identifier)

    def _secrets(self) -> list[str]:
        secret = self._options.get("secret") if isinstance(self._options, Mapping) else None
        secrets = [secret] if isinstance(secret, str) else secret
        if (
            not isinstance(secrets, list | tuple)
            or not secrets
            or not all(isinstance(s, str) and s for s in secrets)
        ):
            raise ConfigurationError(
                f'{type(self).__name__} needs options={{"secret": ...}} (a non-empty string, '
                "or a list of them) to encrypt or decrypt."
            )
        return list(secrets)


class StateStore(AbstractDataStore[dict[str, Any]]):
    """Base class for a session store: subclass it and implement ``set``/``get``/``delete``.

    Override :meth:`delete_by_logout_token` to support back-channel logout; without it the
    facades' ``handle_backchannel_logout`` raises
    :class:`~auth0_core.errors.StoreNotSupportedError`.
    """

    async def delete_by_logout_token(
        self, claims: dict[str, Any], options: dict[str, Any] | None = None
    ) -> None:
        """Delete the sessions a verified logout token names.

        ``claims`` holds ``sid`` and/or ``sub`` (match either one) and ``iss`` (compare it
        with the session's ``user.iss`` or domain before deleting); :func:`session_matches`
        applies that rule to a stored session.

        Raises:
            NotImplementedError: always, unless a subclass overrides it.
        """
        raise NotImplementedError("This store does not implement delete_by_logout_token.")

    setattr(delete_by_logout_token, NOT_IMPLEMENTED_MARK, True)


class TransactionStore(AbstractDataStore[dict[str, Any]]):
    """Base class for a login-transaction store: subclass it and implement
    ``set``/``get``/``delete``."""


__all__ = ["NOT_IMPLEMENTED_MARK", "AbstractDataStore", "StateStore", "TransactionStore"]
