"""The authorization request: parameters, scope defaults and the /authorize URL.

Pushing it first (PAR) is an endpoint of its own: :mod:`auth0_core.endpoints.authentication.par`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from ._config import DEFAULT_SCOPE, ClientConfig
from .endpoints.authentication.discovery import ServerMetadata
from .errors import InvalidArgumentError, MissingRequiredArgumentError

# Parameters the SDK owns. A caller who sets one gets an error rather than a silently
# dropped value (protocol doc §2.1).
RESERVED_PARAMS = frozenset(
    {
        "client_id",
        "response_type",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        # the anonymous session's one-time ticket: only the SDK mints it (a caller's could
        # carry another visitor's session into this login)
        "anon_transfer_token",
    }
)


def split_scope(scope: str | None) -> list[str]:
    """Scope string to an ordered list without duplicates."""
    seen: dict[str, None] = {}
    for item in (scope or "").split():
        seen.setdefault(item, None)
    return list(seen)


def merge_scopes(*scopes: str | None) -> str:
    """Join scope strings, first occurrence wins, order kept.

    An app merges the same few strings on every call (its default scope and a call's), so
    the answers for strings are remembered (bounded); anything else is merged as it comes.
    """
    if all(scope is None or type(scope) is str for scope in scopes):
        return _merged(scopes)
    return _merge(scopes)


def _merge(scopes: tuple[str | None, ...]) -> str:
    merged: dict[str, None] = {}
    for scope in scopes:
        for item in split_scope(scope):
            merged.setdefault(item, None)
    return " ".join(merged)


_merged = functools.lru_cache(maxsize=256)(_merge)


def default_scope(config: ClientConfig, audience: str | None) -> str | None:
    """The configured default scope for ``audience``.

    ``authorization_params["scope"]`` is a string (the default for every audience) or a dict
    ``{audience: scope}`` where the key ``"default"`` stands for "no audience".
    """
    configured = config.authorization_params.get("scope")
    if isinstance(configured, Mapping):
        value = configured.get(audience or "default")
        if value is None and audience == config.authorization_params.get("audience"):
            value = configured.get("default")
        return value if isinstance(value, str) else None
    return configured if isinstance(configured, str) else None


def _check_reserved(params: Mapping[str, Any], where: str) -> None:
    clash = sorted(RESERVED_PARAMS.intersection(params))
    if clash:
        raise InvalidArgumentError(
            "authorization_params",
            f"{where} authorization_params may not set {', '.join(clash)}: the SDK sets them.",
        )


def _stringify(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    raise InvalidArgumentError(
        "authorization_params", "authorization_params values must be strings or numbers."
    )


def resolve_authorization_params(
    config: ClientConfig,
    call_params: Mapping[str, Any] | None,
    *,
    redirect_uri: str | None = None,
) -> dict[str, str]:
    """Merge default and per-call parameters (per-call wins, key by key) with the scope rule.

    The scope is the audience's default scope followed by the per-call scope, de-duplicated,
    with ``openid`` always first; when neither is given it is
    ``openid profile email offline_access``.

    Raises:
        InvalidArgumentError: a reserved parameter was given, or a value is not a scalar.
        MissingRequiredArgumentError: no ``redirect_uri`` anywhere.
    """
    defaults = {k: v for k, v in config.authorization_params.items() if k != "scope"}
    call = dict(call_params or {})
    _check_reserved(defaults, "default")
    _check_reserved(call, "per-call")
    call_scope = call.pop("scope", None)
    if call_scope is not None and not isinstance(call_scope, str):
        raise InvalidArgumentError("scope", "a per-call scope must be a string.")
    merged: dict[str, Any] = {**defaults, **call}
    resource = merged.get("resource")
    if config.dialect == "standard" and isinstance(resource, list | tuple):
        # RFC 8707 §2.1: several resources at once. Resource indicators are absolute URIs,
        # which hold no space: kept space-separated until the request is built.
        if not resource or not all(isinstance(item, str) and item for item in resource):
            raise InvalidArgumentError(
                "authorization_params", "'resource' must be a URI or a list of URIs."
            )
        merged["resource"] = " ".join(resource)
    merged["redirect_uri"] = (
        call.get("redirect_uri")
        or redirect_uri
        or (defaults.get("redirect_uri") or config.redirect_uri)
    )
    if not merged["redirect_uri"]:
        raise MissingRequiredArgumentError("redirect_uri")
    audience = merged.get("audience")
    base_scope = default_scope(config, audience if isinstance(audience, str) else None)
    if base_scope is None and call_scope is None:
        base_scope = DEFAULT_SCOPE
    merged["scope"] = merge_scopes("openid", base_scope, call_scope)
    params = {k: _stringify(v) for k, v in merged.items()}
    return {k: v for k, v in params.items() if v is not None}


def build_authorize_url(
    metadata: ServerMetadata,
    query: Mapping[str, str],
    repeated: tuple[tuple[str, str], ...] = (),
) -> str:
    """``{authorization_endpoint}?{query}`` with proper percent-encoding; ``repeated`` are
    parameters that may occur more than once (the standard dialect's ``resource``).

    Raises:
        InvalidArgumentError: a value is no Unicode text (a lone surrogate, from a JSON escape
            in a stored record or an option): named, never quoted.
    """
    endpoint = metadata.authorization_endpoint
    separator = "&" if urlsplit(endpoint).query else "?"
    pairs = [*query.items(), *repeated]
    try:
        return f"{endpoint}{separator}{urlencode(pairs)}"
    except UnicodeEncodeError:
        name = next((k for k, v in pairs if not _is_unicode(k) or not _is_unicode(v)), "query")
        raise InvalidArgumentError(name, f"{name} is not Unicode text.") from None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
