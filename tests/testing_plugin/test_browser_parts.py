"""The browser's pure parts on their own: the cookie jar's rules, the WSGI call, the routing,
the configuration sources and the token minter's users."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from auth0_core import HttpRequest
from auth0_core.errors import ConfigurationError
from auth0_core.testing import (
    BrowserError,
    CookieJar,
    EmulatedTenant,
    call_wsgi,
    is_asgi,
    tenant_config,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_cookies_by_host_path_and_secure() -> None:
    clock = Clock()
    jar = CookieJar(clock)
    jar.store(
        "https://app.example/auth/callback",
        [
            "s=1; Path=/; Secure; HttpOnly; SameSite=Lax",
            "deep=2; Path=/auth",
            "default=3",  # default path: /auth
            "shared=4; Domain=.app.example; Path=/; Max-Age=10",
            "foreign=5; Domain=other.example",  # refused
            "junk",  # no name=value: ignored
        ],
    )
    assert jar.header("https://app.example/auth/x") == "deep=2; default=3; s=1; shared=4"
    assert jar.header("https://app.example/authority") == "s=1; shared=4"
    assert jar.header("http://app.example/") == "shared=4"  # no Secure cookie over http
    assert jar.header("https://www.app.example/") == "shared=4"  # Domain: subdomains too
    assert jar.header("https://other.example/") is None
    [secure] = [c for c in jar if c.name == "s"]
    assert (secure.secure, secure.http_only, secure.same_site) == (True, True, "Lax")
    clock.now += 11
    assert "shared" not in (jar.header("https://app.example/") or "")
    jar.store("https://app.example/", ["s=; Path=/; Max-Age=0"])
    jar.store("https://app.example/", ["deep=; Path=/auth; Expires=Thu, 01 Jan 1970 00:00:00 GMT"])
    assert jar.header("https://app.example/auth/x") == "default=3"


def test_secure_cookies_go_to_loopback_over_http() -> None:
    jar = CookieJar()
    jar.store("http://localhost/", ["s=1; Secure"])
    jar.store("http://127.0.0.1:8000/", ["t=2; Secure"])
    assert jar.header("http://localhost/x") == "s=1"
    assert jar.header("http://127.0.0.1:8000/") == "t=2"


def wsgi_echo(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    seen = (
        f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ['QUERY_STRING']} "
        f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']} {environ.get('CONTENT_TYPE')} "
        f"{environ.get('HTTP_COOKIE')} {body.decode()}"
    )
    start_response("201 Created", [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    return io.BytesIO(seen.encode())


def test_a_wsgi_call() -> None:
    answer = call_wsgi(
        wsgi_echo,
        HttpRequest(
            method="POST",
            url="https://app.example:8443/a%20b?x=1",
            headers=(("Content-Type", "text/plain"), ("Cookie", "c=1"), ("Cookie", "d=2")),
            body=b"hello",
        ),
    )
    assert answer.status == 201
    assert answer.header_values("set-cookie") == ["a=1", "b=2"]
    assert answer.body == b"POST /a b?x=1 https://app.example:8443 text/plain c=1; d=2 hello"


def test_asgi_or_wsgi() -> None:
    class Asgi:
        async def __call__(self, scope: object, receive: object, send: object) -> None:
            pass

    async def asgi_function(scope: object, receive: object, send: object) -> None:
        pass

    assert is_asgi(Asgi())
    assert is_asgi(asgi_function)
    assert not is_asgi(wsgi_echo)


def test_the_browser_reaches_only_the_app_and_the_tenant_in_process() -> None:
    browser = EmulatedTenant.create().browser(wsgi_echo)
    assert browser.get("/x").status == 201
    assert browser.cookies == {"a": "1", "b": "2"}
    assert browser.get("https://tenant.example/.well-known/jwks.json").status == 200
    with pytest.raises(BrowserError, match=r"cannot reach https://elsewhere\.example/"):
        browser.get("https://elsewhere.example/")


def test_configuration_sources(tmp_path: Path) -> None:
    path = tmp_path / "tenant.toml"
    path.write_text('[[users]]\nemail = "t@example.com"\npassword = "p"\n')
    assert [u.email for u in tenant_config(path).users] == ["t@example.com"]
    assert [u.email for u in tenant_config(str(path)).users] == ["t@example.com"]
    assert tenant_config(None) == tenant_config({})
    default = tenant_config(None)
    assert tenant_config(default) is default
    with pytest.raises(ConfigurationError, match="not int"):
        tenant_config(3)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="cannot read"):
        tenant_config(tmp_path / "missing.toml")


def test_the_minters_users_and_errors() -> None:
    tokens = EmulatedTenant.create().tokens
    assert tokens.user().email == "alice@example.com"
    assert tokens.user("auth0|bob").email == "bob@example.com"
    with pytest.raises(ConfigurationError, match=r"no user 'eve@example\.com'.*alice@example"):
        tokens.user("eve@example.com")
    with pytest.raises(ConfigurationError, match="names a user, a sid or both"):
        tokens.logout_token()
    claims = tokens.claims(tokens.id_token("bob@example.com", nonce="n", sid="s", omit=["exp"]))
    assert (claims["sub"], claims["nonce"], claims["sid"], "exp" in claims) == (
        "auth0|bob",
        "n",
        "s",
        False,
    )
    assert [key["kty"] for key in tokens.jwks()["keys"]] == ["RSA"]
