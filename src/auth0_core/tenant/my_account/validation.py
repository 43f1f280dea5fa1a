"""The connected-accounts request schemas (Auth0's OpenAPI file, protocol doc 7.2-7.4), checked
by hand: every failure becomes one ``validation_errors`` item, and all of them are reported.

Each ``check_*`` returns the validated values; they raise
:class:`~..responses.RequestRejected` (400 with ``validation_errors``) otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..params import Params
from .problems import ValidationError, field_error, invalid

# RFC 7636 §4.1: the unreserved characters; S256 challenges are 43 characters of them.
_PKCE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
ACCOUNT_ID = re.compile(r"^cac_[A-Za-z0-9]+$")
AUTHORIZATION_PARAMS = frozenset(
    {
        "acr_values",
        "audience",
        "resource",
        "display",
        "id_token_hint",
        "login_hint",
        "max_age",
        "prompt",
        "ui_locales",
    }
)
_ENUMS = {
    "display": ("page", "popup", "touch", "wap"),
    "prompt": ("none", "login", "consent", "select_account"),
}
MAX_TAKE = 20
DEFAULT_TAKE = 10
_MAX_CONNECTION_FILTERS = 20


@attrs.frozen(kw_only=True)
class ConnectBody:
    connection: str
    redirect_uri: str
    state: str | None
    code_challenge: str | None
    scopes: tuple[str, ...] | None  # None: the connection's configured scopes
    login_hint: str | None


@attrs.frozen(kw_only=True)
class CompleteBody:
    auth_session: str
    connect_code: str
    redirect_uri: str
    code_verifier: str | None


@attrs.frozen(kw_only=True)
class PageQuery:
    take: int
    cursor: str | None  # the raw ``from`` value
    connections: tuple[str, ...] | None = None


class _Checker:
    """Reads members of one JSON object, collecting what is wrong with them."""

    def __init__(self, document: Mapping[str, Any], prefix: str = "") -> None:
        self.document = document
        self.prefix = prefix
        self.errors: list[ValidationError] = []

    def fail(self, name: str, detail: str) -> None:
        self.errors.append(field_error(detail, self.prefix + name, "body"))

    def text(self, name: str, minimum: int, maximum: int, *, required: bool = False) -> str | None:
        if name not in self.document:
            if required:
                self.fail(name, "is required")
            return None
        value = self.document[name]
        if not isinstance(value, str):
            self.fail(name, "must be string")
        elif len(value) < minimum:
            self.fail(name, f"must NOT have fewer than {minimum} characters")
        elif len(value) > maximum:
            self.fail(name, f"must NOT have more than {maximum} characters")
        else:
            return value
        return None

    def only(self, allowed: frozenset[str] | set[str]) -> None:
        """``additionalProperties: false``."""
        for name in self.document:
            if name not in allowed:
                self.fail(name, "must NOT have additional properties")


def check_connect(document: Mapping[str, Any]) -> ConnectBody:
    """``POST .../connect``'s body."""
    check = _Checker(document)
    fields = {"connection", "redirect_uri", "state", "code_challenge", "code_challenge_method"}
    check.only(fields | {"scopes", "authorization_params"})
    connection = check.text("connection", 1, 128, required=True)
    redirect_uri = check.text("redirect_uri", 1, 2048, required=True)
    state = check.text("state", 1, 4096)
    challenge = check.text("code_challenge", 43, 128)
    if challenge is not None and not _PKCE.fullmatch(challenge):
        check.fail("code_challenge", "must match the RFC 7636 code_challenge format")
    method = document.get("code_challenge_method")
    if "code_challenge_method" in document and method != "S256":
        check.fail("code_challenge_method", "must be equal to constant S256")
    if "code_challenge" in document and "code_challenge_method" not in document:
        check.fail("code_challenge_method", "is required with code_challenge")
    scopes = _scopes(check, document.get("scopes"))
    login_hint = _authorization_params(check, document.get("authorization_params"))
    if check.errors or connection is None or redirect_uri is None:
        raise invalid(check.errors)
    return ConnectBody(
        connection=connection,
        redirect_uri=redirect_uri,
        state=state,
        code_challenge=challenge,
        scopes=scopes,
        login_hint=login_hint,
    )


def _scopes(check: _Checker, value: object) -> tuple[str, ...] | None:
    if "scopes" not in check.document:
        return None
    if not isinstance(value, list):
        check.fail("scopes", "must be array")
        return None
    if not 1 <= len(value) <= 100:
        check.fail("scopes", "must have between 1 and 100 items")
    if not all(isinstance(s, str) and 1 <= len(s) <= 255 for s in value):
        check.fail("scopes", "items must be strings of 1 to 255 characters")
    elif len(set(value)) != len(value):
        check.fail("scopes", "must NOT have duplicate items")
    return tuple(value)


def _authorization_params(check: _Checker, value: object) -> str | None:
    """Checks ``authorization_params``; returns its ``login_hint`` (the upstream account)."""
    if "authorization_params" not in check.document:
        return None
    if not isinstance(value, dict):
        check.fail("authorization_params", "must be object")
        return None
    inner = _Checker(value, "authorization_params/")
    inner.only(AUTHORIZATION_PARAMS)
    for name in AUTHORIZATION_PARAMS - {"max_age", "login_hint"}:
        inner.text(name, 1, 4096)
    login_hint = inner.text("login_hint", 1, 255)
    for name, choices in _ENUMS.items():
        if isinstance(value.get(name), str) and value[name] not in choices:
            inner.fail(name, f"must be one of: {', '.join(choices)}")
    max_age = value.get("max_age", 0)
    if not isinstance(max_age, int) or isinstance(max_age, bool) or max_age < 0:
        inner.fail("max_age", "must be a non-negative integer")
    check.errors.extend(inner.errors)
    return login_hint


def check_complete(document: Mapping[str, Any]) -> CompleteBody:
    """``POST .../complete``'s body."""
    check = _Checker(document)
    check.only({"auth_session", "connect_code", "redirect_uri", "code_verifier"})
    auth_session = check.text("auth_session", 1, 64, required=True)
    connect_code = check.text("connect_code", 1, 46, required=True)
    redirect_uri = check.text("redirect_uri", 1, 2048, required=True)
    verifier = check.text("code_verifier", 43, 128)
    if verifier is not None and not _PKCE.fullmatch(verifier):
        check.fail("code_verifier", "must match the RFC 7636 code_verifier format")
    if check.errors or auth_session is None or connect_code is None or redirect_uri is None:
        raise invalid(check.errors)
    return CompleteBody(
        auth_session=auth_session,
        connect_code=connect_code,
        redirect_uri=redirect_uri,
        code_verifier=verifier,
    )


def check_page_query(query: Params, *, connection_filter: bool) -> PageQuery:
    """``take`` (1-20, default 10), ``from`` and, for accounts, repeatable ``connection``."""
    errors: list[ValidationError] = []
    single = ("take", "from")
    for name in query.duplicated(single):
        errors.append(field_error("must not be repeated", name, "query"))
    take = DEFAULT_TAKE
    raw_take = query.values.get("take", [None])[0]
    if raw_take is not None:
        if not raw_take.isascii() or not raw_take.isdigit():
            errors.append(field_error("must be integer", "take", "query"))
        elif int(raw_take) < 1:
            errors.append(field_error("must be >= 1", "take", "query"))
        elif int(raw_take) > MAX_TAKE:
            errors.append(field_error(f"must be <= {MAX_TAKE}", "take", "query"))
        else:
            take = int(raw_take)
    cursor = query.values.get("from", [None])[0]
    if cursor == "":
        errors.append(field_error("must NOT have fewer than 1 characters", "from", "query"))
    connections = tuple(query.values.get("connection", ())) if connection_filter else ()
    if len(connections) > _MAX_CONNECTION_FILTERS:
        errors.append(field_error("must NOT have more than 20 items", "connection", "query"))
    if any(not 1 <= len(c) <= 128 for c in connections):
        errors.append(field_error("items must have 1 to 128 characters", "connection", "query"))
    if errors:
        raise invalid(errors, "query")
    return PageQuery(take=take, cursor=cursor, connections=connections or None)
