"""What comes from the network reaches an error message only as one printable, bounded line,
and never repeats a token (issue 10, items 8 and 9)."""

from __future__ import annotations

import pytest

from auth0_core._http import body_excerpt
from auth0_core.errors import InvalidResponse, OAuthError, printable

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdXRoMHxhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


@pytest.mark.parametrize(
    "body",
    [
        f"<p>{TOKEN}</p>",
        f"token={TOKEN};",
        f'{{"access_token":"{TOKEN}"}}',
        f"({TOKEN})",
        f"x{TOKEN}",
        "a" * 70 + TOKEN,  # the token starts just before the excerpt's limit
    ],
)
def test_no_token_survives_an_excerpt_wherever_it_stands(body: str) -> None:
    excerpt = body_excerpt(body.encode())
    for part in TOKEN.split("."):
        assert part[:12] not in excerpt, excerpt
    assert len(excerpt) <= 83


def test_an_excerpt_is_one_printable_line() -> None:
    excerpt = body_excerpt(b"bad\r\nSet-Cookie: x=1\x00\x1b[31m")
    assert excerpt.isprintable()
    assert "\n" not in excerpt
    assert "Set-Cookie" in excerpt  # the words stay readable


def test_server_words_in_errors_are_printable_bounded_and_markup_free() -> None:
    error = OAuthError("invalid\r\nrequest", "line one\r\nline two <script>alert(1)</script>" * 50)
    for text in (str(error), error.error, error.error_description or "", error.code):
        assert text.isprintable(), text
        assert "<" not in text
        assert ">" not in text
    assert len(str(error)) <= 603
    assert error.error == "invalid request"
    assert error.error_description is not None
    assert error.error_description.startswith("line one line two \u2039script\u203a")
    shown = InvalidResponse("bad", status=500, excerpt="a\nb<c>")
    assert str(shown) == "bad (HTTP 500): a b\u2039c\u203a"
    assert printable("x" * 400).endswith("...")
