"""Wrong-typed and unencodable arguments to public methods are typed errors that name the
argument, raised before any request: Token Vault options, the client-credentials
organization, the Management API identities (link and unlink) and the My Account API's
list filters. Both facades, against the in-process emulated tenant."""

from __future__ import annotations

from typing import Any

import pytest
from tests.facade_calls import BASE, START, call

from auth0_core import Env, FixedClock
from auth0_core.errors import Auth0Error, InvalidArgumentError, MissingRequiredArgumentError
from auth0_core.tenant import Tenant, TenantConfig

MANAGEMENT = f"{BASE}/api/v2/"
SURROGATE = "\ud800"  # a lone surrogate: a str that UTF-8 (and so no URL) can carry

FACADES = ["requests", "anyio"]


class BadStr:
    """An object whose ``str()`` fails: it must never be converted to a string silently."""

    def __str__(self) -> str:
        raise RuntimeError("__str__ called")


NOT_STRINGS: list[Any] = [123, -1, 1.5, float("nan"), True, [], ["a"], {}, b"x", object(), BadStr()]


def make_tenant() -> Tenant:
    return Tenant(TenantConfig.default(), base_url=BASE, env=Env(clock=FixedClock(START)))


def refused(
    facade: str, error: type[InvalidArgumentError], method: str, *args: Any, **kwargs: Any
) -> InvalidArgumentError:
    """The exact ``error`` the call raises, checked to come before any request."""
    tenant = make_tenant()
    with pytest.raises(InvalidArgumentError) as info:
        call(facade, tenant.handle, method, *args, **kwargs)
    assert type(info.value) is error, repr(info.value)
    assert tenant.log == [], "refused only after a request"
    return info.value


# --- get_access_token_for_connection ---------------------------------------------------------


@pytest.mark.parametrize("facade", FACADES)
def test_token_vault_without_options_is_a_missing_argument(facade: str) -> None:
    error = refused(facade, MissingRequiredArgumentError, "get_access_token_for_connection", None)
    assert error.argument == "options"


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("options", [{}, {"login_hint": "alice"}, {"loginHint": "alice"}])
def test_token_vault_options_without_a_connection_name_it(
    facade: str, options: dict[str, Any]
) -> None:
    error = refused(
        facade, MissingRequiredArgumentError, "get_access_token_for_connection", options
    )
    assert error.argument == "connection"


# --- get_client_credentials_token --------------------------------------------------------------


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("organization", NOT_STRINGS, ids=repr)
def test_client_credentials_organization_must_be_a_string(facade: str, organization: Any) -> None:
    error = refused(
        facade,
        InvalidArgumentError,
        "get_client_credentials_token",
        audience=MANAGEMENT,
        organization=organization,
    )
    assert error.argument == "organization"
    assert "must be a string" in str(error)


# --- link_user_accounts ----------------------------------------------------------------------


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("token", NOT_STRINGS, ids=repr)
def test_link_secondary_id_token_must_be_a_string(facade: str, token: Any) -> None:
    error = refused(
        facade, InvalidArgumentError, "link_user_accounts", "auth0|alice", secondary_id_token=token
    )
    assert error.argument == "secondary_id_token"


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("token", ["h.\u00e9.s", f"{SURROGATE}.e30.s", "a.b"])
def test_link_secondary_id_token_must_be_a_compact_jwt(facade: str, token: str) -> None:
    error = refused(
        facade, InvalidArgumentError, "link_user_accounts", "auth0|alice", secondary_id_token=token
    )
    assert error.argument == "secondary_id_token"
    assert token not in str(error)


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        *(({"user_id": value}, "user_id") for value in NOT_STRINGS),
        ({"user_id": f"github|{SURROGATE}"}, "user_id"),
        ({"user_id": "4242", "provider": 7}, "provider"),
        ({"user_id": "4242", "provider": ""}, "provider"),
        ({"user_id": "4242", "provider": SURROGATE}, "provider"),
        ({"user_id": "github|4242", "connection_id": 7}, "connection_id"),
        ({"user_id": "github|4242", "connection_id": SURROGATE}, "connection_id"),
    ],
    ids=repr,
)
def test_link_ids_must_be_valid_strings(facade: str, kwargs: dict[str, Any], argument: str) -> None:
    error = refused(facade, InvalidArgumentError, "link_user_accounts", "auth0|alice", **kwargs)
    assert error.argument == argument


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize(
    ("primary", "error_type"),
    [
        (None, MissingRequiredArgumentError),
        ("", MissingRequiredArgumentError),
        (123, InvalidArgumentError),
        (SURROGATE, InvalidArgumentError),
    ],
    ids=repr,
)
def test_link_primary_user_id_must_be_a_valid_string(
    facade: str, primary: Any, error_type: type[InvalidArgumentError]
) -> None:
    error = refused(facade, error_type, "link_user_accounts", primary, user_id="github|4242")
    assert error.argument == "primary_user_id"


# --- unlink_user_accounts ---------------------------------------------------------------------

UNLINK = {"primary_user_id": "auth0|alice", "provider": "github", "user_id": "4242"}


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("argument", sorted(UNLINK))
@pytest.mark.parametrize("value", [*NOT_STRINGS, SURROGATE, f"x{SURROGATE}y"], ids=repr)
def test_unlink_ids_must_be_valid_strings(facade: str, argument: str, value: Any) -> None:
    kwargs = {**UNLINK, argument: value}
    error = refused(facade, InvalidArgumentError, "unlink_user_accounts", **kwargs)
    assert error.argument == argument


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("argument", sorted(UNLINK))
@pytest.mark.parametrize("value", [None, ""])
def test_unlink_ids_are_required(facade: str, argument: str, value: Any) -> None:
    kwargs = {**UNLINK, argument: value}
    error = refused(facade, MissingRequiredArgumentError, "unlink_user_accounts", **kwargs)
    assert error.argument == argument


# --- list_connected_accounts ------------------------------------------------------------------


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("argument", ["connection", "from_param"])
def test_list_connected_accounts_refuses_text_no_url_can_carry(facade: str, argument: str) -> None:
    error = refused(
        facade, InvalidArgumentError, "list_connected_accounts", **{argument: f"a{SURROGATE}"}
    )
    assert error.argument == argument


@pytest.mark.parametrize("facade", FACADES)
def test_a_str_subclass_cursor_is_not_converted_with_str(facade: str) -> None:
    class Cursor(str):
        def __str__(self) -> str:
            raise RuntimeError("__str__ called")

    # Past the argument checks: the request is built, and the session is what is missing.
    tenant = make_tenant()
    with pytest.raises(Auth0Error) as info:
        call(facade, tenant.handle, "list_connected_accounts", from_param=Cursor("abc"))
    assert not isinstance(info.value, InvalidArgumentError), repr(info.value)
