"""Our error tree against the installed official SDK (``auth0_server_python.error``): every class
and ``*ErrorCode`` it exports is importable from ``auth0_core.errors`` and both adapters'
``error`` modules, under our root, with the same constructor parameters in the same order, the
same attributes once built, the same codes, and the same code for the same server answer."""

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import auth0_anyio.error
import auth0_core.errors as ours
import auth0_requests.error
from auth0_core._config import make_config
from auth0_core._http import json_response
from auth0_core.endpoints.authentication.token import process_token_response
from auth0_core.errors import AccessTokenError, Auth0Error, OAuthError
from auth0_core.flows.tokens import raise_refresh_error

official = pytest.importorskip("auth0_server_python.error")
official_client = pytest.importorskip("auth0_server_python.auth_server.server_client")

MODULES = (ours, auth0_requests.error, auth0_anyio.error)
FIXTURES = Path(__file__).parent.parent / "fixtures"


def official_classes() -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(official).items()
        if not name.startswith("_")
        and isinstance(value, type)
        and issubclass(value, official.Auth0Error)
    }


def official_enums() -> dict[str, type]:
    return {
        name: value
        for name, value in vars(official).items()
        if isinstance(value, type) and name.endswith("ErrorCode")
    }


def test_the_official_package_exports_what_we_compare() -> None:
    # A guard against comparing nothing: the lists of b20.
    assert len(official_classes()) >= 30
    assert set(official_enums()) >= {"AccessTokenErrorCode", "AccessTokenForConnectionErrorCode"}


@pytest.mark.parametrize("name", sorted(official_classes()) + sorted(official_enums()))
def test_every_official_name_is_importable_from_each_module(name: str) -> None:
    found = [getattr(module, name) for module in MODULES]
    assert found[0] is found[1] is found[2]
    assert name in ours.__all__


@pytest.mark.parametrize("name", sorted(official_classes()))
def test_every_official_class_is_under_our_root(name: str) -> None:
    assert issubclass(getattr(ours, name), Auth0Error)


def parameters(cls: type) -> list[inspect.Parameter]:
    return list(inspect.signature(cls.__init__).parameters.values())[1:]  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(official_classes()))
def test_constructor_parameters_match_in_name_and_order(name: str) -> None:
    theirs = parameters(official_classes()[name])
    mine = parameters(getattr(ours, name))
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    assert [p.name for p in mine[: len(theirs)]] == [p.name for p in theirs]
    for their, my in zip(theirs, mine, strict=False):
        assert my.kind in positional, my
        if their.default is not inspect.Parameter.empty:
            assert my.default is not inspect.Parameter.empty, my  # optional there, here too
    for extra in mine[len(theirs) :]:
        # What we add comes after and never has to be given.
        assert extra.default is not inspect.Parameter.empty or extra.kind in (
            inspect.Parameter.VAR_KEYWORD,
            inspect.Parameter.VAR_POSITIONAL,
        ), extra


# A value for each official parameter without a default, valid for both SDKs.
CODES = {
    "AccessTokenError": "missing_refresh_token",
    "AccessTokenForConnectionError": "api_error",
    "PollingApiError": "slow_down",
    "PasskeyError": "invalid_grant",
    "EnterpriseConnectError": "enterprise_connect_not_supported",
}
VALUES: dict[str, Any] = {
    "message": "it failed",
    "argument": "redirect_uri",
    "mfa_token": "sealed-mfa-token",
    "interval": 5,
    "title": "Bad Request",
    "type": "about:blank",
    "detail": "no such account",
    "status": 400,
}


def arguments(name: str) -> dict[str, Any]:
    """The official constructor's required arguments, given by name to both SDKs' classes."""
    return {
        p.name: CODES.get(name, "some_code") if p.name == "code" else VALUES[p.name]
        for p in parameters(official_classes()[name])
        if p.default is inspect.Parameter.empty
    }


# Official attributes we keep with another value, on purpose (docs/errors.md says why).
OTHER_NAME = {"MfaRequiredError"}  # the official one reports "AccessTokenError"


@pytest.mark.parametrize("name", sorted(official_classes()))
def test_the_same_attributes_after_construction(name: str) -> None:
    theirs: Any = official_classes()[name](**arguments(name))
    mine = getattr(ours, name)(**arguments(name))
    for attribute in vars(theirs):
        assert hasattr(mine, attribute), attribute
    if "code" in dir(theirs):
        assert mine.code == theirs.code
    if "name" in vars(theirs) and name not in OTHER_NAME:
        assert mine.name == theirs.name
    if "message" in arguments(name) or "detail" in arguments(name):
        assert (mine.message, str(mine)) == (theirs.message, str(theirs))


@pytest.mark.parametrize("name", sorted(official_classes()))
def test_class_level_codes_are_the_official_ones(name: str) -> None:
    theirs = official_classes()[name]
    if "code" in vars(theirs):
        assert getattr(ours, name).code == theirs.code


@pytest.mark.parametrize("name", sorted(official_enums()))
def test_the_code_enums_have_the_same_members_and_values(name: str) -> None:
    theirs = {k: v for k, v in vars(official_enums()[name]).items() if k.isupper()}
    mine = getattr(ours, name)
    assert {member.name: member.value for member in mine} == theirs
    for key, value in theirs.items():
        assert mine[key] == value
        assert isinstance(mine[key], str)
        assert f"{mine[key]}" == value
        assert hash(mine[key]) == hash(value)


def test_multi_code_classes_take_every_official_code() -> None:
    assert {*official.AccessTokenErrorCode.__dict__.values()} >= ours.AccessTokenError.codes - {
        "mfa_required"
    }
    for code in ours.AccessTokenErrorCode:
        assert ours.AccessTokenError(code, "m").code == code
    for vault_code in ours.AccessTokenForConnectionErrorCode:
        assert ours.AccessTokenForConnectionError(vault_code, "m").code == vault_code


def test_official_style_raise_and_except_work() -> None:
    with pytest.raises(ours.AccessTokenError) as caught:
        raise ours.AccessTokenError(ours.AccessTokenErrorCode.MISSING_SESSION, "no session")
    assert caught.value.code == official.AccessTokenErrorCode.MISSING_SESSION
    error = ours.ApiError("invalid_request", "refused", {"error": "invalid_request"})
    assert (error.code, error.error, error.cause) == (
        "invalid_request",
        "invalid_request",
        {"error": "invalid_request"},
    )
    passkey = ours.PasskeyError(ours.PasskeyErrorCode.INVALID_GRANT, "wrong", None, "sess")
    assert passkey.is_verification_retryable
    assert isinstance(ours.MfaTokenInvalidError(), ours.UnsealError)


# --- the same server answer gives the same code ---------------------------------------------------


def official_source(name: str) -> str:
    return inspect.getsource(getattr(official_client.ServerClient, name))


def our_refusal(status: int, body: dict[str, Any]) -> AccessTokenError:
    config = make_config(
        domain="tenant.example", client_id="cid", client_secret="x", secret="s" * 32
    )
    response = json_response(status, body)
    with pytest.raises(OAuthError) as refusal:
        process_token_response(response)
    with pytest.raises(AccessTokenError) as info:
        raise_refresh_error(config, refusal.value, response)
    return info.value


@pytest.mark.parametrize("server_error", ["invalid_grant", "unauthorized_client"])
def test_a_refused_refresh_is_refresh_token_error_as_official(server_error: str) -> None:
    # The official get_access_token turns every refusal but mfa_required into this code.
    assert "AccessTokenErrorCode.REFRESH_TOKEN_ERROR" in official_source("get_access_token")
    error = our_refusal(400, {"error": server_error, "error_description": "no"})
    assert error.code == official.AccessTokenErrorCode.REFRESH_TOKEN_ERROR
    assert error.error == server_error


def test_mfa_required_is_mfa_required_error_as_official() -> None:
    assert "MfaRequiredError(" in official_source("get_access_token")
    theirs = official.MfaRequiredError("MFA", mfa_token="t")
    error = our_refusal(403, {"error": "mfa_required", "mfa_token": "raw"})
    assert isinstance(error, ours.MfaRequiredError)
    assert error.code == theirs.code == "mfa_required"


def test_token_vault_refusals_are_api_error_as_official() -> None:
    # Officially any non-200 Token Vault answer becomes API_ERROR; ours too (the 401 of a
    # user without a connected account is the AccountNotConnectedError subclass).
    assert "AccessTokenForConnectionErrorCode.API_ERROR" in official_source(
        "get_token_for_connection"
    )
    recorded = json.loads((FIXTURES / "vault_not_connected.json").read_text())
    outcome = recorded["flows"][-1]["meta"]["outcome"]
    assert outcome["code"] == official.AccessTokenForConnectionErrorCode.API_ERROR
    assert issubclass(getattr(ours, outcome["error"]), ours.AccessTokenForConnectionError)
    refused = json.loads((FIXTURES / "token_invalid_grant.json").read_text())
    assert (
        refused["flows"][-1]["meta"]["outcome"]["code"]
        == official.AccessTokenErrorCode.REFRESH_TOKEN_ERROR
    )


def test_missing_refresh_token_as_official() -> None:
    assert "AccessTokenErrorCode.MISSING_REFRESH_TOKEN" in official_source("get_access_token")
    assert (
        ours.MissingRefreshTokenError("none").code
        == official.AccessTokenErrorCode.MISSING_REFRESH_TOKEN
    )
