"""The public calls of ``server_client.mfa`` (the official ``MfaClient``), with the exact
signatures the facades expose; each loads :mod:`.mfa` on its first call, so importing an
adapter does not (issue 14: import time). See :mod:`.mfa` and docs/mfa.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._client import CoreClient
from .._effects import Flow, StoreOptions

if TYPE_CHECKING:
    from .._mfa_types import (
        AuthenticatorResponse,
        ChallengeResponse,
        EnrollmentResponse,
        MfaTokenContext,
        MfaVerifyResponse,
    )


def list_authenticators(
    client: CoreClient, options: Mapping[str, Any], store_options: StoreOptions = None
) -> Flow[list[AuthenticatorResponse]]:
    """The authenticators the user has enrolled (``GET /mfa/authenticators``).

    ``options["mfa_token"]`` is the sealed token of an :class:`MfaRequiredError` (or the raw
    token :meth:`decrypt_mfa_token` reveals, as the official examples pass it).
    ``store_options`` picks the domain in resolver mode; no store is read.

    Raises:
        MfaTokenInvalidError, MfaTokenExpiredError: the token is not usable.
        MfaListAuthenticatorsError: the tenant refused, or answered something malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import mfa

    return mfa.list_authenticators(client, options, store_options)


def enroll_authenticator(
    client: CoreClient, options: Mapping[str, Any], store_options: StoreOptions = None
) -> Flow[EnrollmentResponse]:
    """Enroll an authenticator (``POST /mfa/associate``): ``factor_type`` ``otp``, ``sms`` or
    ``voice`` (with ``phone_number``), ``email`` (optional ``email``), ``auth0`` or ``push``.

    Raises:
        MfaTokenInvalidError, MfaTokenExpiredError: the token is not usable.
        MfaEnrollmentError: an unknown factor type, a refusal, or a malformed answer.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import mfa

    return mfa.enroll_authenticator(client, options, store_options)


def challenge_authenticator(
    client: CoreClient, options: Mapping[str, Any], store_options: StoreOptions = None
) -> Flow[ChallengeResponse]:
    """Start a challenge (``POST /mfa/challenge``) for ``factor_type`` (and optionally
    ``authenticator_id``): an out-of-band code is sent, a push notification shown.

    Raises:
        MfaTokenInvalidError, MfaTokenExpiredError: the token is not usable.
        MfaChallengeError: an unknown factor type, a refusal, or a malformed answer.
        ConfigurationError: the client assertion's signing key is unusable.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import mfa

    return mfa.challenge_authenticator(client, options, store_options)


def verify(
    client: CoreClient,
    options: Mapping[str, Any],
    store_options: StoreOptions = None,
    dpop_key: Any = None,
) -> Flow[MfaVerifyResponse]:
    """Answer the challenge (``otp``; ``oob_code`` + ``binding_code``; ``recovery_code``)
    with an MFA grant and return the tokens; ``persist=True`` writes them into the session
    (``audience``, ``scope``), or starts one from the ID token when there is none.

    Raises:
        MfaTokenInvalidError, MfaTokenExpiredError: the token is not usable.
        MfaRequiredError: one more factor is required (a new sealed token).
        MfaVerifyError: no or several credentials; the tenant refused (wrong, expired or
            reused code; used or expired ``mfa_token``; ``authorization_pending`` while a
            push is unanswered); a malformed answer; an unbound token for a ``dpop_key``;
            ``persist`` with nothing to write to or from, or another user's ID token.
        IdTokenError: the answer's ID token is invalid.
        AccessTokenError: (``incorrect_audience``, with ``persist``) the access token is not
            shown to be for the audience it would be stored under.
        InvalidArgumentError: ``persist`` not a bool, an unusable ``dpop_key``.
        ConfigurationError: ``dpop_key`` with ``use_mtls``.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be written.
    """
    from . import mfa

    return mfa.verify(client, options, store_options, dpop_key)


def decrypt_mfa_token(client: CoreClient, encrypted_token: str) -> MfaTokenContext:
    """Open the sealed ``mfa_token`` of an :class:`MfaRequiredError` (not a coroutine on
    either facade): Auth0's raw token, the audience and scope it steps up, its requirements.

    Raises:
        MfaTokenInvalidError: not a token this client sealed.
        MfaTokenExpiredError: sealed more than ``mfa_token_ttl`` seconds ago.
    """
    from . import mfa

    return mfa.decrypt_mfa_token(client, encrypted_token)
