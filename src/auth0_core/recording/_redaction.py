"""Redaction: secrets replaced by consistent placeholders, JWTs re-signed with fixture keys."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._http import HttpRequest, HttpResponse
from ._format import (
    _CALLBACK_SECRETS,
    _MIN_SEARCHED,
    _PLACEHOLDER_PREFIX,
    SECRET_FIELDS,
    Json,
)

# --- redaction --------------------------------------------------------------------------------


def _b64d(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt(value: str) -> tuple[dict[str, Any], bytes] | None:
    """A compact JWS's header and payload bytes, when ``value`` is one."""
    parts = value.split(".")
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_b64d(parts[0]))
        payload = _b64d(parts[1])
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(header, dict) or not isinstance(header.get("alg"), str):
        return None
    return header, payload


# alg -> (kty, curve) of the fixture key that signs for it.
_KEY_TYPES: dict[str, tuple[str, str | None]] = {
    **{f"{family}{bits}": ("RSA", None) for family in ("RS", "PS") for bits in (256, 384, 512)},
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "ES256K": ("EC", "secp256k1"),
    "EdDSA": ("OKP", "Ed25519"),
    "Ed25519": ("OKP", "Ed25519"),
}
_HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}


class _FixtureKeys:
    """One generated key per key id of the recorded server, of the same type."""

    def __init__(self) -> None:
        self._keys: dict[str | None, tuple[str | None, Any]] = {}

    def key_for(self, kid: str | None, kty: str, crv: str | None) -> tuple[str | None, Any]:
        found = self._keys.get(kid)
        if found is not None:
            return found
        from joserfc.jwk import ECKey, OKPKey, RSAKey

        key: Any
        if kty == "RSA":
            key = RSAKey.generate_key(2048)
        elif kty == "EC":
            key = ECKey.generate_key(crv or "P-256")
        else:
            key = OKPKey.generate_key("Ed448" if crv == "Ed448" else "Ed25519")
        fixture_kid = None if kid is None else f"fixture-key-{len(self._keys) + 1}"
        self._keys[kid] = (fixture_kid, key)
        return fixture_kid, key


class Redactor:
    """Replaces secrets consistently: the same value always gets the same replacement.

    ``known`` values are kept as they are (a replayer passes the placeholders and re-minted
    tokens of its recording, which a replayed client sends back). ``remint=False`` (replay)
    never generates keys: JWTs unknown to it become placeholders.
    """

    def __init__(self, *, known: Iterable[str] = (), remint: bool = True) -> None:
        self._map: dict[str, str] = {value: value for value in known}
        self._counts: dict[str, int] = {}
        self._remint = remint
        self._keys = _FixtureKeys()
        self._lock = threading.Lock()

    # values ------------------------------------------------------------------------------

    def secret(self, kind: str, value: str) -> str:
        """The placeholder of ``value`` (a new one, ``redacted-<kind>-<n>``, on first sight)."""
        if not value:
            return value
        found = self._map.get(value)
        if found is not None:
            return found
        if value.startswith(_PLACEHOLDER_PREFIX):
            return value
        count = self._counts.get(kind, 0) + 1
        self._counts[kind] = count
        placeholder = f"{_PLACEHOLDER_PREFIX}{kind}-{count}"
        self._map[value] = placeholder
        return placeholder

    def token(self, kind: str, value: str, *, access_token: str | None = None) -> str:
        """A token from a response: a JWT re-minted with a fixture key, else a placeholder."""
        found = self._map.get(value)
        if found is not None:
            return found
        parsed = _jwt(value)
        kty = _KEY_TYPES.get(parsed[0]["alg"]) if parsed is not None else None
        if parsed is None or kty is None or not self._remint:
            return self.secret(kind, value)
        header, payload = parsed
        alg = header["alg"]
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        fixture_kid, key = self._keys.key_for(kid, *kty)
        if access_token is not None:
            payload = self._rehash(payload, alg, access_token)
        new_header = {
            k: v
            for k, v in header.items()
            if k not in ("kid", "jku", "jwk", "x5c", "x5u", "x5t", "x5t#S256")
        }
        if fixture_kid is not None:
            new_header["kid"] = fixture_kid
        from joserfc import jws

        minted = jws.serialize_compact(new_header, payload, key, algorithms=[alg])
        self._map[value] = minted
        return minted

    def _rehash(self, payload: bytes, alg: str, access_token: str) -> bytes:
        """The ``at_hash`` of a re-minted ID token, for the access token's replacement."""
        try:
            claims = json.loads(payload)
        except (ValueError, RecursionError):
            return payload
        if not isinstance(claims, dict) or "at_hash" not in claims:
            return payload
        digest = _HASHES.get(alg[-3:], hashlib.sha512)(access_token.encode("utf-8")).digest()
        claims["at_hash"] = _b64e(digest[: len(digest) // 2])
        return json.dumps(claims, separators=(",", ":")).encode("utf-8")

    def jwk_set(self, document: dict[str, Any]) -> dict[str, Any]:
        """A JWKS with every key replaced by its fixture key's public half."""
        keys = []
        for original in document.get("keys") or []:
            if not isinstance(original, dict) or original.get("kty") not in ("RSA", "EC", "OKP"):
                continue
            kid = original.get("kid") if isinstance(original.get("kid"), str) else None
            crv = original.get("crv") if isinstance(original.get("crv"), str) else None
            fixture_kid, key = self._keys.key_for(kid, original["kty"], crv)
            public = dict(key.as_dict(private=False))
            public.pop("kid", None)
            if fixture_kid is not None:
                public["kid"] = fixture_kid
            for member in ("use", "alg", "key_ops"):
                if member in original:
                    public[member] = original[member]
            keys.append(public)
        return {**document, "keys": keys}

    def text(self, value: str) -> str:
        """``value`` with every known secret in it replaced."""
        for secret, replacement in sorted(self._map.items(), key=lambda item: -len(item[0])):
            if len(secret) >= _MIN_SEARCHED and secret != replacement and secret in value:
                value = value.replace(secret, replacement)
        return value

    def known(self, value: Json) -> Json:
        """``value`` (JSON) with every secret seen so far replaced wherever it is; no new
        placeholder is made (what ``meta`` goes through)."""
        if isinstance(value, list):
            return [self.known(item) for item in value]
        if isinstance(value, dict):
            return {member: self.known(item) for member, item in value.items()}
        if isinstance(value, str):
            found = self._map.get(value)
            return found if found is not None else self.text(value)
        return value

    # JSON ----------------------------------------------------------------------------------

    def json_value(self, value: Json, *, response: bool) -> Json:
        """``value`` with every credential member replaced (tokens re-minted in responses)."""
        if isinstance(value, list):
            return [self.json_value(item, response=response) for item in value]
        if not isinstance(value, dict):
            return self.text(value) if isinstance(value, str) else value
        out: dict[str, Any] = {}
        # The access token first: a re-minted ID token's at_hash is that of its replacement.
        order = sorted(value, key=lambda k: (k == "id_token", k != "access_token"))
        for member in order:
            item = value[member]
            if member in SECRET_FIELDS and isinstance(item, str):
                if response:
                    access = out.get("access_token") if member == "id_token" else None
                    out[member] = self.token(
                        member, item, access_token=access if isinstance(access, str) else None
                    )
                else:
                    out[member] = self.secret(member, item)
            else:
                out[member] = self.json_value(item, response=response)
        return {member: out[member] for member in value}

    # requests and responses --------------------------------------------------------------

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.query:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            if any(name in SECRET_FIELDS for name, _ in pairs):
                query = urlencode(
                    [(n, self.secret(n, v) if n in SECRET_FIELDS else v) for n, v in pairs]
                )
                url = urlunsplit(parts._replace(query=query))
        return self.text(url)

    def _header(self, name: str, value: str, *, response: bool) -> str:
        lower = name.lower()
        if lower == "authorization":
            scheme, _, credentials = value.partition(" ")
            kind = {"basic": "basic_credentials", "bearer": "access_token", "dpop": "access_token"}
            return f"{scheme} {self.secret(kind.get(scheme.lower(), 'authorization'), credentials)}"
        if lower == "dpop":
            return self.secret("dpop_proof", value)
        if lower == "cookie":
            cookies = []
            for item in value.split(";"):
                cookie_name, sep, cookie_value = item.strip().partition("=")
                cookies.append(f"{cookie_name}{sep}{self.secret('cookie', cookie_value)}")
            return "; ".join(cookies)
        if lower == "set-cookie" and response:
            first, sep, attributes = value.partition(";")
            cookie_name, eq, cookie_value = first.partition("=")
            return f"{cookie_name}{eq}{self.secret('cookie', cookie_value)}{sep}{attributes}"
        return self.text(value)

    def _body(self, body: bytes, content_type: str, *, response: bool) -> bytes:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        stripped = text.strip()
        if stripped[:1] in ("{", "["):
            try:
                document = json.loads(text)
            except (ValueError, RecursionError):
                document = None
            if isinstance(document, dict | list):
                if (
                    response
                    and isinstance(document, dict)
                    and isinstance(document.get("keys"), list)
                ):
                    redacted = self.json_value(self.jwk_set(document), response=response)
                else:
                    redacted = self.json_value(document, response=response)
                if redacted == document and self.text(text) == text:
                    return body
                return json.dumps(redacted, separators=(",", ":")).encode("utf-8")
        if not response and ("form-urlencoded" in content_type.lower() or not content_type):
            pairs = parse_qsl(text, keep_blank_values=True)
            if any(name in SECRET_FIELDS for name, _ in pairs):
                return urlencode(
                    [
                        (n, self.secret(n, v) if n in SECRET_FIELDS else self.text(v))
                        for n, v in pairs
                    ]
                ).encode("ascii")
        return self.text(text).encode("utf-8")

    def request(self, request: HttpRequest) -> HttpRequest:
        """``request`` with its credentials replaced."""
        with self._lock:
            content_type = next((v for k, v in request.headers if k.lower() == "content-type"), "")
            headers = tuple(
                (name, self._header(name, value, response=False)) for name, value in request.headers
            )
            body = self._body(request.body, content_type, response=False)
            return HttpRequest(
                method=request.method, url=self.url(request.url), headers=headers, body=body
            )

    def response(self, response: HttpResponse) -> HttpResponse:
        """``response`` with its tokens replaced (JWTs re-minted, JWKS swapped)."""
        with self._lock:
            content_type = response.header("content-type") or ""
            body = self._body(response.body, content_type, response=True)
            headers = tuple(
                (name, str(len(body)) if name.lower() == "content-length" else value)
                for name, value in (
                    (n, self._header(n, v, response=True)) for n, v in response.headers
                )
            )
            return HttpResponse(status=response.status, headers=headers, body=body)

    def callback_url(self, url: str) -> str:
        """A callback URL with its code (``code``, ``connect_code``) replaced."""
        with self._lock:
            parts = urlsplit(url)
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            query = urlencode(
                [(n, self.secret(n, v) if n in _CALLBACK_SECRETS else v) for n, v in pairs]
            )
            return urlunsplit(parts._replace(query=query))
