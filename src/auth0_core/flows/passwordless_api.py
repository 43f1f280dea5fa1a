"""The public calls of ``server_client.passwordless`` (the official ``PasswordlessClient``),
with the exact signatures the facades expose; each loads :mod:`.passwordless` on its first
call, so importing an adapter does not (issue 14: import time). See docs/passwordless.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._client import CoreClient
from .._effects import Flow, StoreOptions

if TYPE_CHECKING:
    from .._passwordless_types import (
        PasswordlessStartResult,
        StartPasswordlessOptions,
        VerifyPasswordlessOtpOptions,
    )
    from .._result import LoginResult


def start(
    client: CoreClient,
    options: StartPasswordlessOptions | Mapping[str, Any],
    store_options: StoreOptions = None,
) -> Flow[PasswordlessStartResult]:
    """Send a one-time code by e-mail or SMS, or a magic link by e-mail (``send="link"``,
    finished by ``complete_interactive_login`` on the link's callback).

    Raises:
        InvalidArgumentError: bad options (a reserved or unknown ``auth_params`` key, ...).
        MissingRequiredArgumentError: a magic link without ``redirect_uri`` or
            ``store_options``.
        PasswordlessStartError: the tenant refused (``bad.email``, ``too_many_requests`` with
            ``retry_after``, ...) or could not be reached.
        MissingStoreOptionsError, CookieTooLargeError: the magic link's transaction could not
            be stored.
    """
    from . import passwordless

    return passwordless.start(client, options, store_options)


def verify(
    client: CoreClient,
    options: VerifyPasswordlessOtpOptions | Mapping[str, Any],
    store_options: StoreOptions = None,
) -> Flow[LoginResult]:
    """Exchange the code for tokens, validate the ID token as a login's, write a fresh
    session; return ``{"state_data": <the session>}``.

    Raises:
        InvalidArgumentError: bad options.
        PasswordlessVerifyError: the tenant refused (``invalid_grant``: wrong, expired, used or
            too often tried code; ``too_many_requests``), or the ID token is missing or
            invalid (``invalid_issuer``, ``invalid_audience``, ``token_expired``); nothing is
            written.
        MfaRequiredError: MFA first (a sealed token for ``server_client.mfa``).
        AccessTokenError: (``incorrect_audience``) the access token is not shown to be for
            ``audience``; nothing is written.
        SessionExpiredError: the identity provider's session is already over.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be stored.
    """
    from . import passwordless

    return passwordless.verify(client, options, store_options)
