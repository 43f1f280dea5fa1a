"""Wrong-typed or out-of-range ``ServerClient(...)`` options are ConfigurationErrors.

Through both clients (``auth0_requests`` and ``auth0_anyio``): each refusal is raised at
construction, names the option, and quotes neither a secret nor a long value. Before, these
escaped as TypeError, AttributeError, ValueError or UnicodeEncodeError, or were accepted and
misbehaved later (a nan ``absolute_duration`` never persisted a session, a float ``leeway``
failed every login).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pytest

import auth0_anyio
import auth0_requests
from auth0_core import Env
from auth0_core._config import MAX_DURATION, MAX_LEEWAY, MAX_MFA_TOKEN_TTL
from auth0_core.errors import ConfigurationError

SECRET = "s3cr3t-SESSION-value-of-at-least-32-chars"
CLIENT_SECRET = "CLIENTSECRET-xyz-0123456789-abcdefgh"
BASE: dict[str, Any] = {
    "domain": "tenant.example.com",
    "client_id": "cid",
    "client_secret": CLIENT_SECRET,
    "secret": SECRET,
    "redirect_uri": "https://app.example/cb",
}
LONG = "x" * 1_000_000
# The longest message a refusal may have: far below any value worth bounding.
MAX_MESSAGE = 300

CLIENTS = [
    pytest.param(auth0_requests.ServerClient, id="requests"),
    pytest.param(auth0_anyio.ServerClient, id="anyio"),
]


class _Unprintable:
    """A value whose repr raises: a message must not depend on it."""

    def __repr__(self) -> str:
        raise RuntimeError("repr called")

    __str__ = __repr__


def cases(values: Mapping[str, object]) -> list[Any]:
    """``values`` as parameters with their labels as ids (a 1 MB string is no test id)."""
    return [pytest.param(value, id=label) for label, value in values.items()]


def refusal(client: Any, option: str, value: object, **extra: Any) -> str:
    """The message of the ConfigurationError ``client(option=value)`` raises, checked to name
    the option and to quote no secret and no long value."""
    with pytest.raises(ConfigurationError) as raised:
        client(**{**BASE, **extra, option: value})
    message = str(raised.value)
    assert f"'{option}'" in message
    assert SECRET not in message
    assert CLIENT_SECRET not in message
    assert "xxxxxxxxxx" not in message
    assert len(message) <= MAX_MESSAGE
    return message


WRONG_TYPES = {
    "None": None,
    "str": "60",
    "empty-str": "",
    "long-str": LONG,
    "list": [],
    "dict": {},
    "bytes": b"60",
    "object": object(),
}


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("option", ["leeway", "rolling_duration", "absolute_duration"])
@pytest.mark.parametrize("value", cases(WRONG_TYPES))
def test_a_seconds_option_of_the_wrong_type_is_refused(
    client: Any, option: str, value: object
) -> None:
    refusal(client, option, value)


NOT_WHOLE_SECONDS = {
    "float": 1.5,
    "whole-float": 60.0,
    "True": True,
    "nan": math.nan,
    "inf": math.inf,
    "huge": 10**30,
}


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("option", ["leeway", "rolling_duration", "absolute_duration"])
@pytest.mark.parametrize("value", cases(NOT_WHOLE_SECONDS))
def test_a_seconds_option_that_is_no_sane_whole_number_is_refused(
    client: Any, option: str, value: object
) -> None:
    refusal(client, option, value)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("leeway", -1),  # before: "durations and leeway must be positive", naming none
        ("leeway", MAX_LEEWAY + 1),
        ("rolling_duration", 0),
        ("rolling_duration", MAX_DURATION + 1),
        ("absolute_duration", -1),
        ("absolute_duration", MAX_DURATION + 1),
        ("mfa_token_ttl", MAX_MFA_TOKEN_TTL + 1),
        ("mfa_token_ttl", 10**30),
    ],
)
def test_a_seconds_option_out_of_its_bounds_is_refused_by_name(
    client: Any, option: str, value: int
) -> None:
    refusal(client, option, value)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    "value",
    cases(
        {
            "int": 0,
            "float": 1.5,
            "True": True,
            "list": ["org_1"],
            "dict": {},
            "bytes": b"org_1",
            "object": object(),
            "huge-int": 10**100,
        }
    ),
)
def test_an_organization_that_is_not_a_string_is_refused(client: Any, value: object) -> None:
    refusal(client, "organization", value)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    "value",
    cases({"str": "prompt=login", "long-str": LONG, "surrogate": "\ud800", "bytes": b"ab"}),
)
def test_authorization_params_that_are_not_a_mapping_are_refused(
    client: Any, value: object
) -> None:
    refusal(client, "authorization_params", value)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    "value",
    cases(
        {
            "int": -1,
            "zero": 0,  # falsy: before, silently replaced by a new Env
            "float": math.nan,
            "True": True,
            "long-str": LONG,
            "list": [1, 2],
            "object": object(),
            "the-class": Env,
        }
    ),
)
def test_an_env_that_is_not_an_env_is_refused(client: Any, value: object) -> None:
    refusal(client, "env", value)


LONE_SURROGATES = {
    "surrogate": "\ud800",
    "surrogate-in-pem": "-----BEGIN PRIVATE KEY-----\n\ud800\n-----END PRIVATE KEY-----\n",
}


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("value", cases(LONE_SURROGATES))
def test_an_assertion_key_with_a_lone_surrogate_is_refused(client: Any, value: str) -> None:
    options = {**BASE, "client_secret": None}
    with pytest.raises(ConfigurationError) as raised:
        client(**{**options, "client_assertion_signing_key": value})
    assert "'client_assertion_signing_key'" in str(raised.value)
    assert "\ud800" not in str(raised.value)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("value", cases(LONE_SURROGATES))
def test_a_dpop_key_with_a_lone_surrogate_is_refused(client: Any, value: str) -> None:
    message = refusal(client, "dpop_key", value)
    assert "\ud800" not in message


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    "value",
    cases(
        {
            "long-str": LONG,
            "a-secret-by-mistake": CLIENT_SECRET,
            "unprintable": _Unprintable(),
            "int": 5,
        }
    ),
)
def test_an_unknown_client_auth_method_is_refused_without_quoting_it(
    client: Any, value: object
) -> None:
    message = refusal(client, "client_auth_method", value)
    assert "client_secret_basic" in message  # says what would do instead


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    ("value", "extra"),
    [
        pytest.param(5, {}, id="int"),
        pytest.param(b"b" * 40, {}, id="bytes"),
        pytest.param("\ud800" * 70, {}, id="surrogates"),
        pytest.param(
            "\ud800" * 70,
            {"client_auth_method": "client_secret_jwt", "dialect": "standard"},
            id="surrogates-secret-jwt",  # before: UnicodeEncodeError measuring its length
        ),
    ],
)
def test_a_client_secret_that_is_not_utf8_text_is_refused(
    client: Any, value: object, extra: dict[str, Any]
) -> None:
    refusal(client, "client_secret", value, **extra)


def test_the_bounds_themselves_are_accepted() -> None:
    """A guard, not a reproducer: the new checks keep every documented and bounding value."""
    accepted: list[dict[str, Any]] = [
        {"leeway": 0, "rolling_duration": 1, "absolute_duration": 1, "mfa_token_ttl": 1},
        {
            "leeway": MAX_LEEWAY,
            "rolling_duration": MAX_DURATION,
            "absolute_duration": MAX_DURATION,
            "mfa_token_ttl": MAX_MFA_TOKEN_TTL,
        },
        {"organization": "org_1", "authorization_params": None, "env": None},
        {"authorization_params": {"scope": "openid"}, "env": Env()},
    ]
    for options in accepted:
        sync = auth0_requests.ServerClient(**{**BASE, **options})
        sync.close()
        auth0_anyio.ServerClient(**{**BASE, **options})  # its HTTP client is built lazily


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    "option", ["telemetry", "pushed_authorization_requests", "enterprise_connect"]
)
@pytest.mark.parametrize("value", cases({"str": "yes", "int": 1, "None": None, "long": LONG}))
def test_a_flag_that_is_not_a_bool_is_refused(client: Any, option: str, value: object) -> None:
    assert "True or False" in refusal(client, option, value)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("option", ["state_identifier", "transaction_identifier"])
@pytest.mark.parametrize(
    "value",
    cases({"space": "a b", "semicolon": "a;b", "empty": "", "int": 5, "long": LONG, "ü": "ü"}),
)
def test_an_identifier_that_is_no_cookie_name_is_refused(
    client: Any, option: str, value: object
) -> None:
    assert "cookie name" in refusal(client, option, value)


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize(
    "value",
    cases({"str": "RS256", "none": ["none"], "empty": [], "int": 5, "long": [LONG], "x": [[1]]}),
)
def test_algorithms_that_are_no_allow_list_are_refused_when_built(
    client: Any, value: object
) -> None:
    refusal(client, "algorithms", value)
