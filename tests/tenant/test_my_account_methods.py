"""The tenant's My Account factors and authentication methods at the HTTP level (protocol doc
8.12): schema checks in the API's problem shape, the enrollment's lifetime and attempt budget,
codes in the outbox, one user's methods out of another's reach, a passkey enrolled over the
wire with a software authenticator."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urlsplit

from auth0_core import FixedClock, HttpRequest, HttpResponse
from auth0_core.tenant import Tenant
from auth0_core.tenant.my_account.totp import secret_from_base32, totp_code, totp_matches
from auth0_core.tenant.outbox import Email, TextMessage
from auth0_core.testing.passkeys import SoftwareAuthenticator, unb64url

from .tenant_helpers import BASE, body
from .test_my_account_support import PROBLEM_JSON, my_account_token


def call(
    tenant: Tenant,
    method: str,
    path: str,
    token: str | None,
    payload: Any = None,
    *,
    content_type: str = "application/json",
) -> HttpResponse:
    headers = [("Authorization", f"Bearer {token}")] if token else []
    data = b""
    if payload is not None:
        headers.append(("Content-Type", content_type))
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return tenant.handle(
        HttpRequest(method=method, url=f"{BASE}/me/v1/{path}", headers=tuple(headers), body=data)
    )


def fields(response: HttpResponse) -> list[str]:
    assert response.header("content-type") == PROBLEM_JSON
    return [item["field"] for item in body(response)["validation_errors"]]


def enroll(tenant: Tenant, token: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    response = call(tenant, "POST", "authentication-methods", token, payload)
    assert response.status == 202, response.body
    location = response.header("location")
    assert location is not None
    assert location.startswith(f"{BASE}/me/v1/authentication-methods/")
    return unquote(urlsplit(location).path.rsplit("/", 1)[-1]), body(response)


def test_without_a_token_or_the_scope(tenant: Tenant) -> None:
    assert call(tenant, "GET", "factors", None).status == 401
    token = my_account_token(tenant, scope="read:me:connected_accounts")
    refused = call(tenant, "GET", "factors", token)
    assert refused.status == 403
    assert body(refused)["detail"] == "Insufficient scope, expected: read:me:factors"
    assert call(tenant, "GET", "authentication-methods", token).status == 403


def test_enrollment_schema(tenant: Tenant) -> None:
    token = my_account_token(tenant)
    cases: list[tuple[Any, list[str]]] = [
        ({}, ["type"]),
        ({"type": "sms"}, ["type"]),
        ({"type": "email"}, ["email"]),
        ({"type": "email", "email": "nobody"}, ["email"]),
        ({"type": "phone", "phone_number": "0123"}, ["phone_number"]),
        ({"type": "phone", "phone_number": "+15555550100",
          "preferred_authentication_method": "fax"}, ["preferred_authentication_method"]),
        ({"type": "totp", "extra": 1, "email": 5}, ["extra", "email"]),
    ]  # fmt: skip
    for payload, expected in cases:
        response = call(tenant, "POST", "authentication-methods", token, payload)
        assert response.status == 400, payload
        assert fields(response) == expected, payload
    assert call(tenant, "POST", "authentication-methods", token, [1]).status == 400
    assert call(tenant, "POST", "authentication-methods", token, b"{").status == 400
    wrong_type = call(tenant, "POST", "authentication-methods", token, {}, content_type="text/x")
    assert wrong_type.status == 415
    for kind in ("push-notification", "recovery-code", "password"):
        refused = call(tenant, "POST", "authentication-methods", token, {"type": kind})
        assert refused.status == 400
        assert "not supported by this tenant" in body(refused)["detail"]
    bad_filter = call(tenant, "GET", "authentication-methods?type=sms", token)
    assert bad_filter.status == 400
    assert body(bad_filter)["validation_errors"][0]["source"] == "query"


def test_codes_go_to_the_outbox_and_expire(tenant: Tenant, clock: FixedClock) -> None:
    token = my_account_token(tenant)
    method_id, answer = enroll(tenant, token, {"type": "email", "email": "alice@example.com"})
    assert set(answer) == {"auth_session"}
    [mail] = tenant.state.outbox.take(Email)
    code = mail.body.rsplit(" ", 1)[-1]
    assert code not in repr(mail)
    clock.now += 301  # the enrollment lives 300 s
    late = call(
        tenant,
        "POST",
        f"authentication-methods/{method_id}/verify",
        token,
        {"auth_session": answer["auth_session"], "otp_code": code},
    )
    assert late.status == 404
    phone = {"type": "phone", "phone_number": "+15555550100"}
    method_id, answer = enroll(tenant, token, {**phone, "preferred_authentication_method": "voice"})
    [text] = tenant.state.outbox.take(TextMessage)
    assert text.to == "+15555550100"
    verified = call(
        tenant,
        "POST",
        f"authentication-methods/{method_id}/verify",
        token,
        {"auth_session": answer["auth_session"], "otp_code": text.body.rsplit(" ", 1)[-1]},
    )
    assert verified.status == 201
    assert body(verified)["preferred_authentication_method"] == "voice"
    again = call(  # an enrollment is verified once
        tenant,
        "POST",
        f"authentication-methods/{method_id}/verify",
        token,
        {"auth_session": answer["auth_session"], "otp_code": text.body.rsplit(" ", 1)[-1]},
    )
    assert again.status == 404


def test_totp_codes_of_one_step_either_way(tenant: Tenant, clock: FixedClock) -> None:
    token = my_account_token(tenant)
    method_id, answer = enroll(tenant, token, {"type": "totp"})
    assert answer["barcode_uri"].startswith("otpauth://totp/")
    assert f"secret={answer['manual_input_code']}" in answer["barcode_uri"]
    secret = secret_from_base32(answer["manual_input_code"])
    assert totp_matches(secret, totp_code(secret, clock(), offset=-1), clock())
    assert not totp_matches(secret, totp_code(secret, clock(), offset=2), clock())
    verify = {"auth_session": answer["auth_session"], "otp_code": totp_code(secret, clock() - 30)}
    ok = call(tenant, "POST", f"authentication-methods/{method_id}/verify", token, verify)
    assert ok.status == 201
    assert body(ok) == {
        "id": method_id,
        "type": "totp",
        "created_at": body(ok)["created_at"],
        "confirmed": True,
        "usage": ["secondary"],
    }


def test_one_users_methods_are_not_anothers(tenant: Tenant) -> None:
    alice = my_account_token(tenant)
    bob = my_account_token(tenant, "bob@example.com", "bob-password")
    method_id, answer = enroll(tenant, alice, {"type": "totp"})
    secret = secret_from_base32(answer["manual_input_code"])
    verify = {"auth_session": answer["auth_session"], "otp_code": totp_code(secret, 0)}
    assert (
        call(tenant, "POST", f"authentication-methods/{method_id}/verify", bob, verify).status
        == 404
    )
    now = tenant.state.env.now()
    verify["otp_code"] = totp_code(secret, now)
    assert (
        call(tenant, "POST", f"authentication-methods/{method_id}/verify", alice, verify).status
        == 201
    )
    path = f"authentication-methods/{method_id.replace('|', '%7C')}"
    assert call(tenant, "GET", path, bob).status == 404
    assert call(tenant, "DELETE", path, bob).status == 404
    assert call(tenant, "PATCH", path, bob, {"name": "x"}).status == 404
    assert body(call(tenant, "GET", "authentication-methods", bob)) == {
        "authentication_methods": []
    }
    assert call(tenant, "GET", path, alice).status == 200
    for patch, expected in (({}, [""]), ({"name": ""}, ["name"]), ({"colour": 1}, ["colour"])):
        refused = call(tenant, "PATCH", path, alice, patch)
        assert refused.status == 400
        assert fields(refused) == expected
    assert call(tenant, "DELETE", path, alice).status == 204
    assert call(tenant, "DELETE", path, alice).status == 404


def test_passkey_enrollment_on_the_wire(tenant: Tenant, clock: FixedClock) -> None:
    token = my_account_token(tenant)
    device = SoftwareAuthenticator()
    method_id, answer = enroll(tenant, token, {"type": "passkey"})
    assert method_id.startswith("passkey|dev_")
    assert set(answer) == {"auth_session", "authn_params_public_key"}
    options = answer["authn_params_public_key"]
    rp_id = tenant.state.passkeys.rp_id(BASE)
    assert set(options) == {"challenge", "rp", "user", "pubKeyCredParams",
                            "authenticatorSelection", "excludeCredentials", "timeout"}  # fmt: skip
    assert options["rp"]["id"] == rp_id
    assert unb64url(options["user"]["id"]) == b"auth0|alice"
    assert options["user"]["name"] == "alice@example.com"
    assert len(unb64url(options["challenge"])) == 32
    verify_path = f"authentication-methods/{method_id}/verify"
    session = answer["auth_session"]
    missing = call(tenant, "POST", verify_path, token, {"auth_session": session})
    assert missing.status == 400
    assert fields(missing) == ["authn_response"]
    not_object = {"auth_session": session, "authn_response": "x"}
    assert fields(call(tenant, "POST", verify_path, token, not_object)) == ["authn_response"]
    credential = device.create(options)
    verified = call(
        tenant, "POST", verify_path, token, {"auth_session": session, "authn_response": credential}
    )
    assert verified.status == 201, verified.body
    method = body(verified)
    assert method["type"] == "passkey"
    assert method["key_id"] == credential["rawId"]
    assert method["usage"] == ["primary"]
    stored = tenant.state.passkeys.credentials[unb64url(credential["rawId"])]
    assert stored.user_id == "auth0|alice"
    assert stored.user_handle == b"auth0|alice"
    # Expired: a new enrollment outlives [passkeys].timeout no longer.
    late_id, late = enroll(tenant, token, {"type": "passkey"})
    clock.now += tenant.state.passkeys.settings.timeout + 1
    too_late = call(
        tenant,
        "POST",
        f"authentication-methods/{late_id}/verify",
        token,
        {"auth_session": late["auth_session"],
         "authn_response": device.create(late["authn_params_public_key"])},
    )  # fmt: skip
    assert too_late.status == 404
    deleted = call(tenant, "DELETE", f"authentication-methods/{method_id}", token)
    assert deleted.status == 204
    assert tenant.state.passkeys.credentials == {}
