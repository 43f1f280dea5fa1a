"""CookieRequest / CookieResponse: the minimal request and response for scripts and tests."""

from __future__ import annotations

import pytest

from auth0_core.errors import InvalidArgumentError
from auth0_core.stores import CookieRequest, CookieResponse


def test_response_records_set_cookie_lines_and_latest_values() -> None:
    response = CookieResponse()
    response.set_cookie("a", "1", max_age=60, path="/", secure=True, httponly=True, samesite="Lax")
    response.set_cookie("a", "2")
    response.delete_cookie("b", path="/x")
    assert response.headers() == [
        ("Set-Cookie", "a=1; Max-Age=60; Path=/; Secure; HttpOnly; SameSite=Lax"),
        ("Set-Cookie", "a=2; Path=/"),
        ("Set-Cookie", "b=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/x"),
    ]
    assert response.cookies == {"a": "2"}
    assert response.deleted == {"b"}


@pytest.mark.parametrize(("name", "value"), [("a b", "1"), ("a", "x;y"), ("a", 'q"'), ("", "1")])
def test_response_refuses_header_injection(name: str, value: str) -> None:
    with pytest.raises(InvalidArgumentError):
        CookieResponse().set_cookie(name, value)


def test_request_copies_its_cookies() -> None:
    source = {"a": "1"}
    request = CookieRequest(source)
    source["b"] = "2"
    assert request.cookies == {"a": "1"}
    assert CookieRequest().cookies == {}
