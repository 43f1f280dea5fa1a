"""The pure half of My Account factors and authentication methods: what each ``prepare``
sends, how each ``process`` reads the API's answers (both factors shapes, the ``Location``
header, forward-compatible members), and the request and result types."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auth0_core import HttpResponse
from auth0_core._config import make_config
from auth0_core._my_account_method_types import (
    AuthenticationMethod,
    EnrollmentChallengeResponse,
    PasskeyAuthResponse,
    VerifyAuthenticationMethodRequest,
)
from auth0_core.auth_types import PasskeyPublicKeyOptions, PasskeyRpInfo
from auth0_core.endpoints.my_account import authentication_methods as endpoint
from auth0_core.errors import InvalidArgumentError, InvalidResponse, MyAccountApiError

CONFIG = make_config(domain="tenant.example", client_id="id", client_secret="s", secret="x" * 32)
METHOD = {"id": "totp|dev_1", "type": "totp", "created_at": "2026-01-01T00:00:00Z"}


def answer(status: int, document: Any = None, *headers: tuple[str, str]) -> HttpResponse:
    data = b"" if document is None else json.dumps(document).encode()
    return HttpResponse(
        status=status, headers=(("Content-Type", "application/json"), *headers), body=data
    )


def test_the_requests() -> None:
    listed = endpoint.prepare_list_authentication_methods_request(CONFIG, "phone")
    assert (listed.method, listed.url) == (
        "GET",
        "https://tenant.example/me/v1/authentication-methods?type=phone",
    )
    got = endpoint.prepare_get_authentication_method_request(CONFIG, "passkey|dev_a/b")
    assert got.url == "https://tenant.example/me/v1/authentication-methods/passkey%7Cdev_a%2Fb"
    verify = endpoint.prepare_verify_authentication_method_request(
        CONFIG,
        "passkey|dev_1",
        {
            "auth_session": "s",
            "authn_response": {
                "id": "c",
                "rawId": "c",
                "type": "public-key",
                "response": {"clientDataJSON": "e30"},
            },
        },
    )
    assert verify.url.endswith("/authentication-methods/passkey%7Cdev_1/verify")
    assert json.loads(verify.body) == {
        "auth_session": "s",
        "authn_response": {
            "id": "c",
            "rawId": "c",
            "type": "public-key",
            "response": {"clientDataJSON": "e30"},
        },
    }
    patch = endpoint.prepare_update_authentication_method_request(
        CONFIG, "phone|dev_1", {"preferred_authentication_method": "voice"}
    )
    assert (patch.method, json.loads(patch.body)) == (
        "PATCH",
        {"preferred_authentication_method": "voice"},
    )
    with pytest.raises(InvalidArgumentError):
        endpoint.prepare_verify_authentication_method_request(
            CONFIG, "x", {"auth_session": "s", "otp_code": "1\n2"}
        )


def test_factors_in_either_shape() -> None:
    as_object = endpoint.process_get_factors_response(answer(200, {"factors": [{"type": "a"}]}))
    bare = endpoint.process_get_factors_response(answer(200, [{"type": "a", "new": 1}]))
    assert [f.type for f in as_object.factors] == [f.type for f in bare.factors] == ["a"]
    assert bare.factors[0].new == 1  # an unknown member, read as an attribute
    assert bare.to_dict() == {"factors": [{"type": "a", "usage": None, "new": 1}]}
    broken: list[Any] = [{"factors": "x"}, [{"usage": []}], [{"type": "a", "usage": "x"}], "x"]
    for document in broken:
        with pytest.raises(InvalidResponse):
            endpoint.process_get_factors_response(answer(200, document))


def test_methods_keep_unknown_members() -> None:
    method = endpoint.process_get_authentication_method_response(
        answer(200, {**METHOD, "confirmed": True, "last_auth_at": "2026-02-01T00:00:00Z"})
    )
    assert isinstance(method, AuthenticationMethod)
    assert method.confirmed is True
    assert method.last_auth_at == "2026-02-01T00:00:00Z"
    assert method.model_dump()["last_auth_at"] == "2026-02-01T00:00:00Z"
    with pytest.raises(AttributeError):
        _ = method.not_there
    for broken in ({**METHOD, "id": ""}, {**METHOD, "confirmed": "yes"}, {**METHOD, "usage": [1]}):
        with pytest.raises(InvalidResponse):
            endpoint.process_get_authentication_method_response(answer(200, broken))


@pytest.mark.parametrize(
    ("location", "method_id"),
    [
        ("https://t/me/v1/authentication-methods/totp%7Cdev_1", "totp|dev_1"),
        ("/me/v1/authentication-methods/phone%7Cdev_2/", "phone|dev_2"),
    ],
)
def test_the_enrolled_id_comes_from_location(location: str, method_id: str) -> None:
    challenge = endpoint.process_enroll_authentication_method_response(
        answer(
            202,
            {"auth_session": "secret-session", "manual_input_code": "ABC"},
            ("Location", location),
        )
    )
    assert isinstance(challenge, EnrollmentChallengeResponse)
    assert challenge.authentication_method_id == method_id
    assert "secret-session" not in repr(challenge)
    assert "ABC" not in repr(challenge)


@pytest.mark.parametrize(
    "headers",
    [(), (("Location", "https://t/me/v1/authentication-methods"),), (("Location", "/me/"),)],
)
def test_an_enrollment_without_a_usable_location(headers: tuple[tuple[str, str], ...]) -> None:
    with pytest.raises(InvalidResponse):
        endpoint.process_enroll_authentication_method_response(
            answer(202, {"auth_session": "s"}, *headers)
        )


def test_refusals_are_problems() -> None:
    problem = {"type": "t", "status": 403, "title": "Forbidden", "detail": "Invalid code."}
    with pytest.raises(MyAccountApiError) as refused:
        endpoint.process_verify_authentication_method_response(answer(403, problem))
    assert (refused.value.status, str(refused.value)) == (403, "Invalid code.")
    with pytest.raises(MyAccountApiError) as html:
        endpoint.process_delete_authentication_method_response(
            HttpResponse(status=502, headers=(), body=b"<html>bad gateway</html>")
        )
    assert html.value.status == 502


def test_request_types() -> None:
    credential = PasskeyAuthResponse(id="c", raw_id="c", type="public-key", response={"a": "b"})
    proof = VerifyAuthenticationMethodRequest(auth_session="s", authn_response=credential)
    assert proof.to_dict()["authn_response"]["rawId"] == "c"
    assert "'b'" not in repr(credential)


def test_a_passkey_enrollment_answers_creation_options() -> None:
    options = {
        "challenge": "Y2hhbGxlbmdl",
        "rp": {"id": "tenant.example", "name": "Tenant"},
        "user": {"id": "YWxpY2U", "name": "alice@example.com", "displayName": "Alice"},
        "pubKeyCredParams": [{"type": "public-key", "alg": -7}],
        "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
        "excludeCredentials": [],
        "timeout": 300000,
    }
    location = ("Location", "https://tenant.example/me/v1/authentication-methods/passkey%7Cdev_1")
    challenge = endpoint.process_enroll_authentication_method_response(
        answer(202, {"auth_session": "secret-session", "authn_params_public_key": options},
               location)
    )  # fmt: skip
    assert challenge.authentication_method_id == "passkey|dev_1"
    created = challenge.authn_params_public_key
    assert isinstance(created, PasskeyPublicKeyOptions)
    assert created.rp == PasskeyRpInfo(id="tenant.example", name="Tenant")
    assert created.user is not None
    assert created.user.display_name == "Alice"
    assert created.to_dict() == options  # as sent, excludeCredentials included
    assert challenge.to_dict()["authn_params_public_key"] == options
    assert "secret-session" not in repr(challenge)
    for broken in ({"rp": {"id": "x"}}, {"challenge": 5}, {"challenge": "c", "timeout": "1"}):
        with pytest.raises(InvalidResponse):
            endpoint.process_enroll_authentication_method_response(
                answer(202, {"auth_session": "s", "authn_params_public_key": broken}, location)
            )
