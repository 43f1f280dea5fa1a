"""Typed options for the public calls; each also accepted as a plain dict (as in the seeds)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from .errors import InvalidArgumentError, MissingRequiredArgumentError

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class StartInteractiveLoginOptions:
    """Options of ``start_interactive_login``.

    ``redirect_uri`` at the top level is an alias of ``authorization_params["redirect_uri"]``
    (seed 001 passes it that way).
    """

    authorization_params: Mapping[str, Any] | None = None
    app_state: Any = None
    pushed_authorization_requests: bool | None = None
    organization: str | None = None
    invitation: str | None = None
    redirect_uri: str | None = None


@attrs.frozen(kw_only=True)
class LogoutOptions:
    """Options of ``logout``: where Auth0 sends the browser afterwards, and whether Auth0 also
    ends the session at the upstream identity provider (``federated``). ``state`` is passed
    to the ``end_session_endpoint`` (RP-initiated logout), which hands it back to
    ``return_to``; ``/v2/logout`` has no such parameter (docs/standard-dialect.md)."""

    return_to: str | None = None
    federated: bool = False
    state: str | None = None


@attrs.frozen(kw_only=True)
class GetAccessTokenOptions:
    """Options of ``get_access_token``: an API audience and extra scopes."""

    audience: str | None = None
    scope: str | None = None


@attrs.frozen(kw_only=True)
class ConnectionTokenOptions:
    """Options of ``get_access_token_for_connection`` (Token Vault)."""

    connection: str
    login_hint: str | None = None


@attrs.frozen(kw_only=True)
class StartLinkUserOptions:
    """Options of ``start_link_user``; ``connectionScope`` is accepted as an alias.

    Without ``connection`` no ``requested_connection`` is sent (the official SDK accepts
    options without one too).
    """

    connection: str | None = None
    connection_scope: str | None = None
    authorization_params: Mapping[str, Any] | None = None
    app_state: Any = None


@attrs.frozen(kw_only=True)
class StartUnlinkUserOptions:
    """Options of ``start_unlink_user``; without ``connection`` none is requested."""

    connection: str | None = None
    authorization_params: Mapping[str, Any] | None = None
    app_state: Any = None


@attrs.frozen(kw_only=True)
class ConnectAccountOptions:
    """Options of ``start_connect_account`` (Connected Accounts, protocol doc §7.2).

    ``connection`` is required; ``redirect_uri`` falls back to the client's; ``scopes`` are
    asked of the upstream provider (omitted: the connection's configured scopes);
    ``authorization_params`` go to the upstream provider and may hold only the keys the My
    Account API allows; ``app_state`` comes back from ``complete_connect_account``.
    """

    connection: str | None = None
    redirect_uri: str | None = None
    scopes: list[str] | None = None
    app_state: Any = None
    authorization_params: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class CustomTokenExchangeOptions:
    """Options of ``custom_token_exchange`` (RFC 8693, protocol doc §8.5).

    ``subject_token`` of the Token Exchange Profile named by ``subject_token_type`` (a URI
    of yours, outside the reserved namespaces); ``actor_token`` with its ``actor_token_type``
    for delegation; ``authorization_params``: extra string parameters for the profile's
    Action (none of the exchange's own).
    """

    subject_token: str = attrs.field(repr=False)
    subject_token_type: str
    audience: str | None = None
    scope: str | None = None
    actor_token: str | None = attrs.field(default=None, repr=False)
    actor_token_type: str | None = None
    organization: str | None = None
    authorization_params: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class LoginWithCustomTokenExchangeOptions(CustomTokenExchangeOptions):
    """Options of ``login_with_custom_token_exchange``: those of ``custom_token_exchange``."""


def coerce_options(cls: type[T], options: T | Mapping[str, Any] | None) -> T:
    """Accept ``cls``, a dict with its field names (camelCase aliases too), or None.

    Raises:
        MissingRequiredArgumentError: None for a class with a required option (``argument``
            ``options``), or a dict without one (``argument`` names it).
        InvalidArgumentError: a dict has a key that is not an option, or a value of a wrong type.
    """
    if options is None:
        if _required(cls):
            # ConnectionTokenOptions() has no default connection: the options are the call's.
            raise MissingRequiredArgumentError("options")
        return _default(cls)
    if isinstance(options, cls):
        return options
    if (
        type(options) is dict
        and (all_none := _all_none_by_default(cls)) is not None
        and all_none.issuperset(options)
        and all(value is None for value in options.values())
    ):
        # {"audience": None, "scope": None}, as the facades pass when no option was given,
        # for a class whose options all default to None: the default options.
        return _default(cls)
    if not isinstance(options, Mapping):
        raise InvalidArgumentError("options", f"options must be a dict or {cls.__name__}.")
    names = _field_names(cls)
    values: dict[str, Any] = {}
    for key, value in options.items():
        name = _snake(str(key))
        if name not in names:
            raise InvalidArgumentError("options", f"unknown option '{key}' for {cls.__name__}.")
        values[name] = value
    for name in _required(cls):
        if name not in values:
            raise MissingRequiredArgumentError(name)
    try:
        return cls(**values)
    except TypeError as exc:
        raise InvalidArgumentError("options", f"invalid options for {cls.__name__}.") from exc


_FIELD_NAMES: dict[type, frozenset[str]] = {}
_REQUIRED: dict[type, tuple[str, ...]] = {}
_ALL_NONE_BY_DEFAULT: dict[type, frozenset[str] | None] = {}
_DEFAULTS: dict[type, Any] = {}


def _default(cls: type[T]) -> T:
    """``cls()``, made once: every options class is frozen, so one instance serves all."""
    default: T | None = _DEFAULTS.get(cls)
    if default is None:
        default = _DEFAULTS[cls] = cls()
    return default


def _all_none_by_default(cls: type[Any]) -> frozenset[str] | None:
    """The option names of ``cls`` when every option defaults to None (and has no converter
    or validator that would see it), else None."""
    if cls not in _ALL_NONE_BY_DEFAULT:
        fields = attrs.fields(cls)
        plain = all(
            field.default is None and field.converter is None and field.validator is None
            for field in fields
            if field.init
        )
        names = frozenset(field.name for field in fields if field.init)
        _ALL_NONE_BY_DEFAULT[cls] = names if plain else None
    return _ALL_NONE_BY_DEFAULT[cls]


def _required(cls: type[Any]) -> tuple[str, ...]:
    """The names of the options of ``cls`` without a default, in declaration order."""
    names = _REQUIRED.get(cls)
    if names is None:
        names = _REQUIRED[cls] = tuple(
            field.name
            for field in attrs.fields(cls)
            if field.init and field.default is attrs.NOTHING
        )
    return names


def _field_names(cls: type[Any]) -> frozenset[str]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(field.name for field in attrs.fields(cls))
    return names


@functools.lru_cache(maxsize=256)
def _snake(name: str) -> str:
    """``connectionScope`` -> ``connection_scope`` (the seeds use both spellings)."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
