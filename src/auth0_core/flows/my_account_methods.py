"""Factors and authentication methods through the My Account API (protocol doc §8.12), as
the official ``MyAccountClient`` offers them: every call takes the user's access token for
``https://{domain}/me/`` (obtained by the caller, e.g. through MRRT with
``get_access_token(audience=..., scope=...)``) and, optionally, the DPoP key it is bound to.

Without a key the token goes as ``Authorization: Bearer``; with one as ``Authorization: DPoP``
with a fresh proof carrying ``ath`` (one retry on a ``use_dpop_nonce`` challenge), as
:func:`~auth0_core._dpop.authorized_fetch` sends a session's bound token. Reads (GET) are
retried on a transient failure like every safe request (docs/network.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._client import CoreClient
from .._config import ClientConfig
from .._dpop import _proof_fetch, authorized_fetch
from .._dpop_key import DPoPKey, load_dpop_key
from .._effects import Flow
from .._http import HttpResponse
from .._my_account_method_types import (
    AuthenticationMethod,
    EnrollmentChallengeResponse,
    GetFactorsResponse,
    ListAuthenticationMethodsResponse,
)
from .._retry import Retry, retried
from ..endpoints.my_account import authentication_methods as endpoint
from ..endpoints.my_account._api import check_access_token
from ..errors import ConfigurationError, InvalidArgumentError

if TYPE_CHECKING:
    from .._http import HttpRequest

__all__ = [
    "MyAccountCore",
    "delete_authentication_method",
    "dpop_key_argument",
    "enroll_authentication_method",
    "get_authentication_method",
    "get_factors",
    "list_authentication_methods",
    "update_authentication_method",
    "verify_authentication_method",
]


class MyAccountCore(CoreClient):
    """The core client of a ``MyAccountClient``: a tenant's base URL, the network settings
    and DPoP nonces, and the default ``headers`` its requests carry (the official
    ``MyAccountClient(domain, headers)``)."""

    def __init__(self, config: ClientConfig, headers: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(config)
        self.headers = headers


def dpop_key_argument(value: object) -> DPoPKey | None:
    """The ``dpop_key`` a call was given, as a :class:`DPoPKey`: None, a DPoPKey, anything
    ``dpop_key=`` of ``ServerClient`` takes (a ``cryptography`` private key, a PEM, a private
    JWK dict), or a ``jwcrypto`` JWK as the official SDK takes (its private JWK is read).

    Raises:
        InvalidArgumentError: not a usable private key (the message never quotes it).
    """
    if value is None or isinstance(value, DPoPKey):
        return value
    export = getattr(value, "export_private", None)
    if callable(export):  # a jwcrypto JWK
        try:
            value = export(as_dict=True)
        except Exception:
            raise InvalidArgumentError(
                "dpop_key", "dpop_key must be a private key (this JWK has no private part)."
            ) from None
    try:
        return load_dpop_key(value)
    except ConfigurationError as error:
        raise InvalidArgumentError("dpop_key", str(error)) from None


def _send(
    client: CoreClient,
    request: HttpRequest,
    access_token: object,
    dpop_key: object,
) -> Flow[HttpResponse]:
    """``request`` with the token (and a proof when a key is given); the answer as it came."""
    token = check_access_token(access_token)
    key = dpop_key_argument(dpop_key)
    if isinstance(client, MyAccountCore) and client.headers:
        request = request.with_headers(*client.headers)
    if key is None:
        return (yield from authorized_fetch(client, request, token, bound=False))
    # A proof is single-use (RFC 9449 §11.1): each attempt of a retried GET makes new ones.
    return (
        yield from retried(
            Retry.of(client.config),
            request.method,
            lambda: _proof_fetch(client, key, lambda: request, "resource", token, None),
        )
    )


def get_factors(
    client: CoreClient,
    access_token: str,
    dpop_key: Any = None,
) -> Flow[GetFactorsResponse]:
    """The factors users may enroll (``read:me:factors``).

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: no or an unusable token or key.
        MyAccountApiError: the API refused (401 token, 403 scope).
        InvalidResponse: the answer is not a list of factors.
    """
    request = endpoint.prepare_get_factors_request(client.config)
    response = yield from _send(client, request, access_token, dpop_key)
    return endpoint.process_get_factors_response(response)


def list_authentication_methods(
    client: CoreClient,
    access_token: str,
    type_filter: str | None = None,
    dpop_key: Any = None,
) -> Flow[ListAuthenticationMethodsResponse]:
    """The user's authentication methods, of ``type_filter`` only when given
    (``read:me:authentication_methods``).

    Raises:
        InvalidArgumentError: a ``type_filter`` that is no method type, before any request;
        and as :func:`get_factors`.
    """
    request = endpoint.prepare_list_authentication_methods_request(client.config, type_filter)
    response = yield from _send(client, request, access_token, dpop_key)
    return endpoint.process_list_authentication_methods_response(response)


def get_authentication_method(
    client: CoreClient,
    access_token: str,
    authentication_method_id: str,
    dpop_key: Any = None,
) -> Flow[AuthenticationMethod]:
    """One of the user's methods (``read:me:authentication_methods``).

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: no or a malformed id.
        MyAccountApiError: the API refused (404: no such method).
    """
    request = endpoint.prepare_get_authentication_method_request(
        client.config, authentication_method_id
    )
    response = yield from _send(client, request, access_token, dpop_key)
    return endpoint.process_get_authentication_method_response(response)


def delete_authentication_method(
    client: CoreClient,
    access_token: str,
    authentication_method_id: str,
    dpop_key: Any = None,
) -> Flow[None]:
    """Delete one of the user's methods (``delete:me:authentication_methods``).

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: no or a malformed id.
        MyAccountApiError: the API refused (404: no such method).
    """
    request = endpoint.prepare_delete_authentication_method_request(
        client.config, authentication_method_id
    )
    response = yield from _send(client, request, access_token, dpop_key)
    endpoint.process_delete_authentication_method_response(response)


def update_authentication_method(
    client: CoreClient,
    access_token: str,
    authentication_method_id: str,
    request: Any,
    dpop_key: Any = None,
) -> Flow[AuthenticationMethod]:
    """Rename a method, or change a phone method's preferred channel
    (``update:me:authentication_methods``); the method as it is now.

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: no or a malformed id, a request
            that changes nothing.
        MyAccountApiError: the API refused (400 validation, 404 no such method).
    """
    prepared = endpoint.prepare_update_authentication_method_request(
        client.config, authentication_method_id, request
    )
    response = yield from _send(client, prepared, access_token, dpop_key)
    return endpoint.process_update_authentication_method_response(response)


def enroll_authentication_method(
    client: CoreClient,
    access_token: str,
    request: Any,
    dpop_key: Any = None,
) -> Flow[EnrollmentChallengeResponse]:
    """Start enrolling a method (``create:me:authentication_methods``): its id, the
    ``auth_session`` and what the proof needs (a TOTP secret, passkey options...).

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: a bad request, before sending.
        MyAccountApiError: the API refused (400: a type the tenant does not enroll).
        InvalidResponse: no usable ``Location`` or ``auth_session`` in the answer.
    """
    prepared = endpoint.prepare_enroll_authentication_method_request(client.config, request)
    response = yield from _send(client, prepared, access_token, dpop_key)
    return endpoint.process_enroll_authentication_method_response(response)


def verify_authentication_method(
    client: CoreClient,
    access_token: str,
    authentication_method_id: str,
    request: Any,
    dpop_key: Any = None,
) -> Flow[AuthenticationMethod]:
    """Complete an enrollment with its proof (``create:me:authentication_methods``); the
    confirmed method.

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: a bad id or request.
        MyAccountApiError: the API refused (403: a wrong code; 404: no enrollment).
    """
    prepared = endpoint.prepare_verify_authentication_method_request(
        client.config, authentication_method_id, request
    )
    response = yield from _send(client, prepared, access_token, dpop_key)
    return endpoint.process_verify_authentication_method_response(response)
