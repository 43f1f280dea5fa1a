"""Custom Token Exchange: argument checks before any request, and the request's shape."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from auth0_core._config import make_config
from auth0_core.endpoints.authentication.discovery import ServerMetadata
from auth0_core.endpoints.authentication.token_exchange import (
    prepare_custom_token_exchange_request,
)
from auth0_core.errors import InvalidArgumentError, MissingRequiredArgumentError
from auth0_core.flows.custom_token_exchange import (
    build_session_transfer_redirect,
    check_exchange,
)

TYPE = "urn:acme:legacy-token"


@pytest.mark.parametrize(
    ("arguments", "error", "argument"),
    [
        (
            {"subject_token": "", "subject_token_type": TYPE},
            MissingRequiredArgumentError,
            "subject_token",
        ),
        (
            {"subject_token": "  ", "subject_token_type": TYPE},
            InvalidArgumentError,
            "subject_token",
        ),
        (
            {"subject_token": "Bearer x", "subject_token_type": TYPE},
            InvalidArgumentError,
            "subject_token",
        ),
        (
            {"subject_token": "x", "subject_token_type": None},
            MissingRequiredArgumentError,
            "subject_token_type",
        ),
        (
            {"subject_token": "x", "subject_token_type": "urn:auth0:x"},
            InvalidArgumentError,
            "subject_token_type",
        ),
        (
            {"subject_token": "x", "subject_token_type": "https://Auth0.com/t"},
            InvalidArgumentError,
            "subject_token_type",
        ),
        (
            {"subject_token": "x", "subject_token_type": "legacy"},
            InvalidArgumentError,
            "subject_token_type",
        ),
        (
            {"subject_token": "x", "subject_token_type": TYPE, "actor_token": "a"},
            MissingRequiredArgumentError,
            "actor_token_type",
        ),
        (
            {"subject_token": "x", "subject_token_type": TYPE, "actor_token_type": TYPE},
            MissingRequiredArgumentError,
            "actor_token",
        ),
        (
            {
                "subject_token": "x",
                "subject_token_type": TYPE,
                "actor_token": " ",
                "actor_token_type": TYPE,
            },
            InvalidArgumentError,
            "actor_token",
        ),
        (
            {
                "subject_token": "x",
                "subject_token_type": TYPE,
                "actor_token": "bearer a",
                "actor_token_type": TYPE,
            },
            InvalidArgumentError,
            "actor_token",
        ),
        (
            {"subject_token": "x", "subject_token_type": TYPE, "organization": " "},
            InvalidArgumentError,
            "organization",
        ),
        (
            {
                "subject_token": "x",
                "subject_token_type": TYPE,
                "authorization_params": {"grant_type": "x"},
            },
            InvalidArgumentError,
            "authorization_params",
        ),
        (
            {"subject_token": "x", "subject_token_type": TYPE, "authorization_params": {"n": 1}},
            InvalidArgumentError,
            "authorization_params",
        ),
    ],
)
def test_bad_arguments_are_refused(
    arguments: dict[str, Any], error: type[Exception], argument: str
) -> None:
    subject = arguments.pop("subject_token")
    kind = arguments.pop("subject_token_type")
    with pytest.raises(error) as caught:
        check_exchange(subject, kind, **arguments)
    assert type(caught.value) is error
    assert getattr(caught.value, "argument", None) == argument


def test_the_request_carries_the_exchange() -> None:
    config = make_config(
        domain="tenant.example", client_id="id", client_secret="s", secret="x" * 32
    )
    metadata = ServerMetadata(
        issuer="https://tenant.example/",
        authorization_endpoint="https://tenant.example/authorize",
        token_endpoint="https://tenant.example/oauth/token",
        jwks_uri="https://tenant.example/.well-known/jwks.json",
    )
    request = prepare_custom_token_exchange_request(
        config,
        metadata,
        subject_token="s",
        subject_token_type=TYPE,
        audience="https://api.example.com",
        actor_token="a",
        actor_token_type="urn:ietf:params:oauth:token-type:id_token",
        extra={"device": "kiosk"},
    )
    fields = parse_qs(request.body.decode())
    assert request.body is not None
    assert request.url == "https://tenant.example/oauth/token"
    assert fields["grant_type"] == ["urn:ietf:params:oauth:grant-type:token-exchange"]
    assert fields["subject_token_type"] == [TYPE]
    assert fields["actor_token_type"] == ["urn:ietf:params:oauth:token-type:id_token"]
    assert fields["device"] == ["kiosk"]
    assert "scope" not in fields
    assert "organization" not in fields


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("", MissingRequiredArgumentError),
        ("/login", InvalidArgumentError),
        ("http://target.example/login", InvalidArgumentError),
        ("https://target.example/login#x", InvalidArgumentError),
    ],
)
def test_the_redirect_needs_a_safe_target(url: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        build_session_transfer_redirect(url, {"session_transfer_token": "t"})


def test_the_redirect_allows_loopback_http() -> None:
    url = build_session_transfer_redirect(
        "http://127.0.0.1:3000/login", {"session_transfer_token": "t"}
    )
    assert url == "http://127.0.0.1:3000/login?session_transfer_token=t"
