"""What the back-channel logout unit tests share: keys, hand-minted logout tokens, a fake
tenant serving discovery and a JWKS (counting requests), a state store that records deletes."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Mapping
from typing import Any

from joserfc import jws
from joserfc.jwk import ECKey, RSAKey

from auth0_core import Env, FixedClock
from auth0_core._http import HttpRequest, HttpResponse, json_response
from auth0_core._logout_token import BACKCHANNEL_LOGOUT_EVENT
from auth0_core.effects import StoreOptions
from auth0_core.stores import MemoryStateStore

NOW = 1_800_000_000
BASE_URL = "https://tenant.example"
ISSUER = f"{BASE_URL}/"
JWKS_URI = f"{BASE_URL}/.well-known/jwks.json"
CLIENT_ID = "bcl-client"
CLIENT_SECRET = "bcl-client-secret-0123456789abcdef"
SECRET = "a-session-secret-of-at-least-32-characters"
EVENT = BACKCHANNEL_LOGOUT_EVENT

_jti = itertools.count(1)


class Keys:
    """Generated once per module that needs them: RSA generation is slow."""

    def __init__(self) -> None:
        self.rsa = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.rotated = RSAKey.generate_key(2048, parameters={"kid": "k2"})
        self.impostor = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.ec = ECKey.generate_key("P-256", parameters={"kid": "e1"})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: object) -> str:
    return b64(json.dumps(value).encode("utf-8"))


def sign_segments(header: str, payload: str, key: RSAKey | ECKey, alg: str) -> str:
    signature = jws.JWSRegistry.algorithms[alg].sign(f"{header}.{payload}".encode("ascii"), key)
    return f"{header}.{payload}.{b64(signature)}"


def logout_claims(**changes: object) -> dict[str, object]:
    """Valid claims with a fresh ``jti``; a value of ``...`` removes that claim."""
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "iat": NOW - 5,
        "exp": NOW + 120,
        "jti": f"jti-{next(_jti)}",
        "events": {EVENT: {}},
        "sid": "sid-alice-1",
        "sub": "auth0|alice",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not ...}


def mint(
    key: RSAKey | ECKey,
    claims: Mapping[str, object] | None = None,
    *,
    alg: str = "RS256",
    header: Mapping[str, object] | None = None,
    payload: bytes | None = None,
) -> str:
    """A logout token signed by ``key``; header ``{"alg", "typ": "logout+jwt", "kid"}``."""
    if header is None:
        header = {"alg": alg, "typ": "logout+jwt", "kid": key.kid}
    body = payload if payload is not None else json.dumps(claims or logout_claims()).encode()
    return sign_segments(b64json(dict(header)), b64(body), key, alg)


def public_jwk(key: RSAKey | ECKey) -> dict[str, Any]:
    jwk = dict(key.as_dict(private=False))
    jwk.update({"use": "sig", "kid": str(key.kid)})
    return jwk


class FakeTenant:
    """Discovery and a JWKS whose keys a test changes; every request is recorded."""

    def __init__(self, *keys: RSAKey | ECKey) -> None:
        self.published = list(keys)
        self.paths: list[str] = []
        self.down = False

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.url.removeprefix(BASE_URL)
        self.paths.append(path)
        if self.down:
            return HttpResponse(status=503, body=b"down")
        if path == "/.well-known/openid-configuration":
            return json_response(
                200,
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": f"{BASE_URL}/authorize",
                    "token_endpoint": f"{BASE_URL}/oauth/token",
                    "jwks_uri": JWKS_URI,
                },
            )
        if path == "/.well-known/jwks.json":
            return json_response(200, {"keys": [public_jwk(key) for key in self.published]})
        return HttpResponse(status=404)

    def count(self, path: str) -> int:
        return self.paths.count(path)

    @property
    def jwks_requests(self) -> int:
        return self.count("/.well-known/jwks.json")


class SpyStateStore(MemoryStateStore):
    """A memory state store recording every delete_by_logout_token call."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__(clock=clock)
        self.deletes: list[dict[str, Any]] = []

    def delete_by_logout_token(
        self, claims: Mapping[str, Any], options: StoreOptions = None
    ) -> None:
        self.deletes.append(dict(claims))
        super().delete_by_logout_token(claims, options)


def session(sub: str, sid: str, iss: str = ISSUER) -> dict[str, Any]:
    """A stored session, as far as back-channel logout reads one."""
    return {
        "user": {"sub": sub, "iss": iss, "sid": sid},
        "internal": {"sid": sid, "created_at": NOW - 100, "expires_at": NOW + 86_400},
    }


def fill(store: MemoryStateStore, sessions: Mapping[str, dict[str, Any]]) -> None:
    """Store each session under its own identifier (no cookies: one per identifier)."""
    for identifier, value in sessions.items():
        store.set(identifier, value)


def remaining(store: MemoryStateStore, identifiers: list[str]) -> list[str]:
    return [name for name in identifiers if store.get(name) is not None]


def client_options(clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "domain": BASE_URL,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "secret": SECRET,
        "env": Env(clock=clock),
    }
    options.update(overrides)
    return options
