import pytest

from auth0_core._callback import parse_callback
from auth0_core._http import HttpResponse, json_response
from auth0_core.endpoints.authentication.token import process_token_response
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


def test_error_excerpt_never_repeats_a_token() -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"
    with pytest.raises(InvalidResponse) as info:
        process_token_response(HttpResponse(status=502, body=f"oops {token}".encode()))
    assert token not in str(info.value)
