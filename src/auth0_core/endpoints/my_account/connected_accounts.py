"""Connected accounts of the My Account API (protocol doc §7): connect, complete, list the
accounts, list the connections, delete.

Each ``prepare`` checks its arguments against the API's schema limits and raises
:class:`InvalidArgumentError` (or :class:`MissingRequiredArgumentError`) before anything is
sent; the flow puts the access token on the request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, split_url
from ..._my_account_types import (
    CompleteConnectAccountResponse,
    ConnectAccountResponse,
    ConnectedAccount,
    ConnectedAccountConnection,
    ListConnectedAccountConnectionsResponse,
    ListConnectedAccountsResponse,
)
from ...errors import InvalidArgumentError, InvalidResponse, MissingRequiredArgumentError
from ._api import my_account_request, raise_for_problem

__all__ = [
    "prepare_complete_connect_request",
    "prepare_connect_request",
    "prepare_delete_connected_account_request",
    "prepare_list_connected_account_connections_request",
    "prepare_list_connected_accounts_request",
    "process_complete_connect_response",
    "process_connect_response",
    "process_delete_connected_account_response",
    "process_list_connected_account_connections_response",
    "process_list_connected_accounts_response",
]

_PATH = "connected-accounts"
_MAX_TAKE = 20
# The only authorization_params the API takes (additionalProperties: false), with the values
# it allows where it restricts them.
_ALLOWED_AUTHORIZATION_PARAMS: Mapping[str, frozenset[str] | None] = {
    "acr_values": None,
    "audience": None,
    "resource": None,
    "display": frozenset({"page", "popup", "touch", "wap"}),
    "id_token_hint": None,
    "login_hint": None,
    "max_age": None,
    "prompt": frozenset({"none", "login", "consent", "select_account"}),
    "ui_locales": None,
}
_T = TypeVar("_T")
_ACCOUNT_ID = re.compile(r"cac_[A-Za-z0-9]+")


# --- argument checks ------------------------------------------------------------------------


def _string(name: str, value: object, limit: int, *, required: bool = True) -> str | None:
    if value is None:
        if required:
            raise MissingRequiredArgumentError(name)
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(name, f"{name} must be a string.")
    if not value.strip():
        raise InvalidArgumentError(name, f"{name} must not be blank.")
    if len(value) > limit:
        raise InvalidArgumentError(name, f"{name} must be at most {limit} characters.")
    return value


def _redirect_uri(value: object) -> str:
    uri = _string("redirect_uri", value, 2048)
    assert uri is not None
    parts = urlsplit(uri)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.fragment:
        raise InvalidArgumentError(
            "redirect_uri", "redirect_uri must be an absolute http(s) URL without a fragment."
        )
    return uri


def _scopes(value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidArgumentError("scopes", "scopes must be a list of strings.")
    scopes = list(value)
    if not 1 <= len(scopes) <= 100:
        raise InvalidArgumentError("scopes", "scopes must hold 1 to 100 scopes (or be omitted).")
    for scope in scopes:
        if not isinstance(scope, str) or not 1 <= len(scope) <= 255 or scope != scope.strip():
            raise InvalidArgumentError(
                "scopes", "each scope must be a string of 1 to 255 characters."
            )
    if len(set(scopes)) != len(scopes):
        raise InvalidArgumentError("scopes", "scopes must not repeat a scope.")
    return scopes


def _authorization_params(value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidArgumentError("authorization_params", "authorization_params must be a dict.")
    checked: dict[str, Any] = {}
    for key, item in value.items():
        if key not in _ALLOWED_AUTHORIZATION_PARAMS:
            raise InvalidArgumentError(
                "authorization_params",
                f"the My Account API does not take the authorization parameter '{key}' "
                f"(allowed: {', '.join(_ALLOWED_AUTHORIZATION_PARAMS)}).",
            )
        if key == "max_age":
            if isinstance(item, bool) or not isinstance(item, int) or item < 0:
                raise InvalidArgumentError("max_age", "max_age must be a whole number of seconds.")
        else:
            _string(key, item, 255 if key == "login_hint" else 4096)
            allowed = _ALLOWED_AUTHORIZATION_PARAMS[key]
            if allowed is not None and item not in allowed:
                raise InvalidArgumentError(
                    key, f"{key} must be one of {', '.join(sorted(allowed))}."
                )
        checked[key] = item
    return checked or None


def _take(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_TAKE:
        raise InvalidArgumentError("take", f"take must be a whole number from 1 to {_MAX_TAKE}.")
    return value


def _paging(take: object, from_param: object) -> list[tuple[str, str]]:
    query: list[tuple[str, str]] = []
    cursor = _string("from_param", from_param, 4096, required=False)
    if cursor is not None:
        query.append(("from", cursor))
    size = _take(take)
    if size is not None:
        query.append(("take", str(size)))
    return query


def _connection_filter(value: object) -> list[str]:
    if value is None:
        return []
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, Sequence) or not 1 <= len(names) <= _MAX_TAKE:
        raise InvalidArgumentError("connection", "connection must be a name or 1 to 20 names.")
    return [str(_string("connection", name, 128)) for name in names]


# --- connect and complete -------------------------------------------------------------------


def prepare_connect_request(
    config: ClientConfig,
    *,
    connection: object,
    redirect_uri: object,
    state: str,
    code_challenge: str,
    scopes: object = None,
    authorization_params: object = None,
) -> HttpRequest:
    """``POST /me/v1/connected-accounts/connect`` (needs ``create:me:connected_accounts``).

    Raises:
        MissingRequiredArgumentError: no ``connection`` or no ``redirect_uri``.
        InvalidArgumentError: a value outside the API's schema: a blank or over-long
            connection, a redirect_uri that is not an absolute URL, scopes that are not 1-100
            unique strings of 1-255 characters, an authorization parameter the API rejects.
    """
    body: dict[str, Any] = {
        "connection": _string("connection", connection, 128),
        "redirect_uri": _redirect_uri(redirect_uri),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    checked_scopes = _scopes(scopes)
    if checked_scopes is not None:
        body["scopes"] = checked_scopes
    params = _authorization_params(authorization_params)
    if params is not None:
        body["authorization_params"] = params
    return my_account_request(config, "POST", f"{_PATH}/connect", body=body)


def _scheme(uri: str) -> str | None:
    """The URI's scheme, with a host; None for one that does not parse (a bad port, an
    unbalanced IPv6 bracket), which the application could not redirect to."""
    parts = split_url(uri)
    return parts.scheme if parts is not None and parts.hostname else None


def _utf8(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def process_connect_response(response: HttpResponse) -> ConnectAccountResponse:
    """The ``connect`` answer (201).

    Raises:
        MyAccountApiError: the API refused.
        InvalidResponse: the answer lacks a usable ``connect_uri``, ``auth_session`` or ticket.
    """
    raise_for_problem(response, (200, 201))
    document = response.json_object()
    params = document.get("connect_params")
    ticket = params.get("ticket") if isinstance(params, Mapping) else None
    uri, session = document.get("connect_uri"), document.get("auth_session")
    expires_in = document.get("expires_in", 0)
    if not (isinstance(uri, str) and _scheme(uri) in ("https", "http")):
        raise InvalidResponse("the connect answer has no absolute connect_uri", status=201)
    if not (isinstance(session, str) and session and isinstance(ticket, str) and ticket):
        raise InvalidResponse("the connect answer has no auth_session or ticket", status=201)
    if not all(_utf8(value) for value in (uri, session, ticket)):
        # A JSON escape of a lone surrogate decodes to a str that no URL or body can carry.
        raise InvalidResponse("the connect answer holds text that is not Unicode", status=201)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int):
        raise InvalidResponse("the connect answer's expires_in is not a number", status=201)
    return ConnectAccountResponse(
        connect_uri=uri, auth_session=session, ticket=ticket, expires_in=expires_in
    )


def prepare_complete_connect_request(
    config: ClientConfig,
    *,
    auth_session: str,
    connect_code: str,
    redirect_uri: str,
    code_verifier: str,
) -> HttpRequest:
    """``POST /me/v1/connected-accounts/complete`` (needs ``create:me:connected_accounts``).

    Raises:
        InvalidArgumentError: a ``connect_code`` longer than the API's 46 characters.
    """
    _string("connect_code", connect_code, 46)
    body = {
        "auth_session": auth_session,
        "connect_code": connect_code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    return my_account_request(config, "POST", f"{_PATH}/complete", body=body)


def _strings(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return None


def _account_members(document: object) -> dict[str, Any]:
    if not isinstance(document, Mapping):
        raise InvalidResponse("a connected account is not a JSON object")
    required = {key: document.get(key) for key in ("id", "connection", "access_type", "created_at")}
    optional = {key: document.get(key) for key in ("expires_at", "org_id")}
    scopes = _strings(document.get("scopes", []))
    if (
        not all(isinstance(value, str) and value for value in required.values())
        or not all(value is None or isinstance(value, str) for value in optional.values())
        or scopes is None
    ):
        raise InvalidResponse("a connected account lacks a member or has one of a wrong type")
    return {**required, **optional, "scopes": scopes}


def process_complete_connect_response(
    response: HttpResponse, app_state: Any = None
) -> CompleteConnectAccountResponse:
    """The account just connected (201), with the flow's ``app_state``; ``scopes`` is empty
    when the API leaves it out.

    Raises:
        MyAccountApiError: the API refused (e.g. 409).
        InvalidResponse: the answer is not a connected account.
    """
    raise_for_problem(response, (200, 201))
    members = _account_members(response.json_object())
    return CompleteConnectAccountResponse(app_state=app_state, **members)


# --- list and delete ------------------------------------------------------------------------


def _next(document: Mapping[str, object]) -> str | None:
    cursor = document.get("next")
    if cursor is None or cursor == "":
        return None
    if not isinstance(cursor, str):
        raise InvalidResponse("the page's next cursor is not a string")
    return cursor


def _page(
    response: HttpResponse, key: str, parse: Callable[[object], _T]
) -> tuple[list[_T], str | None]:
    """The items under ``key`` of a 200 page, each read by ``parse``, and its ``next``."""
    raise_for_problem(response, (200,))
    document = response.json_object()
    items = document.get(key)
    if not isinstance(items, list) or len(items) > _MAX_TAKE:
        raise InvalidResponse(f"the page's {key} is not a list of at most {_MAX_TAKE}")
    return [parse(item) for item in items], _next(document)


def prepare_list_connected_accounts_request(
    config: ClientConfig,
    *,
    connection: object = None,
    take: object = None,
    from_param: object = None,
) -> HttpRequest:
    """``GET /me/v1/connected-accounts/accounts`` (needs ``read:me:connected_accounts``).

    Raises:
        InvalidArgumentError: ``take`` outside 1-20, a blank cursor, a blank connection.
    """
    query = [("connection", name) for name in _connection_filter(connection)]
    query += _paging(take, from_param)
    return my_account_request(config, "GET", f"{_PATH}/accounts", query=query)


def process_list_connected_accounts_response(
    response: HttpResponse,
) -> ListConnectedAccountsResponse:
    """One page of the user's connected accounts.

    Raises:
        MyAccountApiError: the API refused.
        InvalidResponse: the answer is not a page of accounts.
    """
    accounts, cursor = _page(
        response, "accounts", lambda item: ConnectedAccount(**_account_members(item))
    )
    return ListConnectedAccountsResponse(accounts=accounts, next=cursor)


def prepare_list_connected_account_connections_request(
    config: ClientConfig, *, take: object = None, from_param: object = None
) -> HttpRequest:
    """``GET /me/v1/connected-accounts/connections`` (needs ``read:me:connected_accounts``).

    Raises:
        InvalidArgumentError: ``take`` outside 1-20, a blank cursor.
    """
    query = _paging(take, from_param)
    return my_account_request(config, "GET", f"{_PATH}/connections", query=query)


def _connection(document: object) -> ConnectedAccountConnection:
    if not isinstance(document, Mapping):
        raise InvalidResponse("a connection is not a JSON object")
    name, strategy = document.get("name"), document.get("strategy")
    scopes = document.get("scopes")
    checked = None if scopes is None else _strings(scopes)
    if not (isinstance(name, str) and name and isinstance(strategy, str)) or (
        scopes is not None and checked is None
    ):
        raise InvalidResponse("a connection lacks a member or has one of a wrong type")
    return ConnectedAccountConnection(name=name, strategy=strategy, scopes=checked)


def process_list_connected_account_connections_response(
    response: HttpResponse,
) -> ListConnectedAccountConnectionsResponse:
    """One page of the connections available for connecting accounts.

    Raises:
        MyAccountApiError: the API refused.
        InvalidResponse: the answer is not a page of connections.
    """
    connections, cursor = _page(response, "connections", _connection)
    return ListConnectedAccountConnectionsResponse(connections=connections, next=cursor)


def prepare_delete_connected_account_request(
    config: ClientConfig, connected_account_id: object
) -> HttpRequest:
    """``DELETE /me/v1/connected-accounts/accounts/{id}`` (needs
    ``delete:me:connected_accounts``).

    Raises:
        MissingRequiredArgumentError: no id.
        InvalidArgumentError: an id that is not ``cac_`` and letters or digits.
    """
    if connected_account_id is None or connected_account_id == "":
        raise MissingRequiredArgumentError("connected_account_id")
    if not isinstance(connected_account_id, str) or not _ACCOUNT_ID.fullmatch(connected_account_id):
        raise InvalidArgumentError(
            "connected_account_id", "connected_account_id must look like 'cac_' + letters/digits."
        )
    return my_account_request(config, "DELETE", f"{_PATH}/accounts/{connected_account_id}")


def process_delete_connected_account_response(response: HttpResponse) -> None:
    """Nothing: the account is gone (204).

    Raises:
        MyAccountApiError: the API refused (404: no such account).
    """
    raise_for_problem(response, (200, 204))
