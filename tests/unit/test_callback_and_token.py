import pytest

from auth0_core._callback import parse_callback
from auth0_core._http import HttpResponse, json_response
from auth0_core.endpoints.authentication.token import (
    process_refresh_token_response,
    process_token_response,
)
from auth0_core.errors import InvalidArgumentError, InvalidResponse, OAuthError


def test_callback_parameters_are_read_once_each() -> None:
    params = parse_callback("https://app/cb?code=abc&state=xyz&iss=https%3A%2F%2Ft%2F")
    assert (params.code, params.state, params.iss, params.error) == (
        "abc",
        "xyz",
        "https://t/",
        None,
    )
    assert "abc" not in repr(params)


@pytest.mark.parametrize("name", ["state", "code", "error", "iss"])
def test_duplicated_parameters_are_rejected(name: str) -> None:
    with pytest.raises(InvalidArgumentError):
        parse_callback(f"https://app/cb?{name}=a&{name}=b&state=s")


@pytest.mark.parametrize(
    "url",
    [
        "https://[/cb?state=a&code=b",
        "https://a]b/cb?state=a&code=b",
        "https://ex\uff03ample.com/cb?state=a&code=b",  # NFKC makes the host hold a '#'
    ],
)
def test_a_url_that_does_not_parse_is_an_invalid_argument(url: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        parse_callback(url)
    assert caught.value.argument == "url"


def test_oversized_callback_rejected_before_parsing() -> None:
    with pytest.raises(InvalidArgumentError):
        parse_callback("https://app/cb?code=" + "a" * 20_000)


def test_token_response_success() -> None:
    tokens = process_token_response(
        json_response(
            200,
            {"access_token": "at", "id_token": "it", "expires_in": 60, "token_type": "Bearer"},
        )
    )
    assert tokens.expires_in == 60
    assert "at" not in repr(tokens).replace("authorization", "")


def test_token_error_keeps_server_words() -> None:
    with pytest.raises(OAuthError) as info:
        process_token_response(
            json_response(403, {"error": "invalid_grant", "error_description": "Unknown token"})
        )
    assert info.value.error == "invalid_grant"
    assert info.value.error_description == "Unknown token"
    assert info.value.status == 403


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(status=500, body=b"<html>proxy error</html>"),
        HttpResponse(status=200, body=b"not json"),
        json_response(200, []),
        json_response(200, {"access_token": 5}),
        json_response(200, {"access_token": "a", "expires_in": "soon"}),
        json_response(200, {"access_token": "a", "expires_in": True}),
        json_response(200, {"access_token": "a", "scope": ["x"]}),
    ],
)
def test_malformed_token_responses(response: HttpResponse) -> None:
    with pytest.raises(InvalidResponse):
        process_token_response(response)


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("access_token", "at-\u00e9-secret"),
        ("access_token", "at\nsecret"),
        ("refresh_token", "rt-\ud800-secret"),
        ("refresh_token", ""),
        ("id_token", "it-\u4e2d-secret"),
        ("token_type", "Bear\u00e9r"),
        ("expires_in", 10 * 365 * 86_400 + 1),
        ("expires_in", 9 * 10**4299),
        ("expires_in", "99999999999"),
    ],
)
def test_tokens_are_visible_ascii_and_lifetimes_bounded(member: str, value: object) -> None:
    """RFC 6749 A.12/A.17: what a header or form cannot carry is refused when read, unquoted."""
    body = {"access_token": "at", "expires_in": 60, member: value}
    with pytest.raises(InvalidResponse, match=member) as info:
        process_token_response(json_response(200, body))
    assert "secret" not in str(info.value)


def test_a_refused_refresh_answer_hands_back_its_refresh_token() -> None:
    malformed = {"access_token": "at-\u00e9", "refresh_token": "rt-new"}
    with pytest.raises(InvalidResponse) as info:
        process_refresh_token_response(json_response(200, malformed))
    assert info.value.rotated_refresh_token == "rt-new"
    assert "rt-new" not in f"{info.value!s}{info.value!r}"
    unusable = {"access_token": "at-\u00e9", "refresh_token": "rt-\u00e9"}
    with pytest.raises(InvalidResponse) as info:
        process_refresh_token_response(json_response(200, unusable))
    assert info.value.rotated_refresh_token is None
    with pytest.raises(InvalidResponse) as info:  # nothing of the kind for other grants
        process_token_response(json_response(200, malformed))
    assert info.value.rotated_refresh_token is None


def test_error_excerpt_never_repeats_a_token() -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"
    with pytest.raises(InvalidResponse) as info:
        process_token_response(HttpResponse(status=502, body=f"oops {token}".encode()))
    assert token not in str(info.value)
