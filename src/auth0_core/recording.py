"""Recorded fixtures: record a client's HTTP exchanges once, replay them in tests with no network.

The pure half of the testing tool described in ``docs/testing-with-fixtures.md``:

- :class:`Recorder` collects the exchanges an adapter's recording transport hands it
  (``auth0_requests.recording`` / ``auth0_anyio.recording``), grouped by the flows you name,
  and writes them as one JSON file. Every secret is replaced as it is recorded, by a
  :class:`Redactor`: the same secret gets the same placeholder everywhere in the file.
- :class:`Replayer` answers a client's requests from such a file, in order, and raises a typed
  :class:`ReplayError` when the client asks for something the file does not have.

Both give the client an :class:`~auth0_core.Env` (``recorder.env`` / ``replayer.env``): the
same seeded randomness, so the replayed flows make the same state, nonce and PKCE verifier as
the recorded ones, and a clock that the replayer sets to the recorded time of each flow.

What is replaced, and how:

- request form fields, JSON members and query parameters named like a credential
  (``client_secret``, ``code``, ``code_verifier``, ``client_assertion``, ``refresh_token``,
  ``subject_token``, ``access_token``, ``id_token``, ``mfa_token``, ``auth_req_id``, ...), the
  ``Authorization``, ``DPoP`` and ``Cookie`` headers, and ``Set-Cookie`` values: by
  placeholders ``redacted-<kind>-<n>``;
- tokens in response bodies: opaque ones by placeholders; JWTs (ID tokens, JWT access tokens)
  are *re-minted*: the same header and claims, signed by a fixture key generated for the
  recording (one per key of the server's JWKS, of the same type), and every JWKS response is
  replaced by the fixture keys' public halves under the same placeholder ``kid``\\ s. So the ID
  tokens still verify on replay, key rotations included, and no server key or signature is kept.
  The fixture keys' private halves are not written anywhere. ``HS*``-signed tokens cannot be
  re-minted and become placeholders (they would no longer verify).
- any known secret found anywhere else in an exchange (a URL, another header, a body) is
  replaced by the same placeholder.

Claims (``sub``, ``email``, ...) are kept: record with test users.

A replayed request matches a recorded one when method, URL (query as a multiset), body (form
fields or JSON compared parsed) and ``Authorization`` are equal once the live request went
through the same redaction. Other headers (``User-Agent``, ``Auth0-Client``) are not compared.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ._env import Env, FixedClock
from ._http import HttpRequest, HttpResponse

__all__ = [
    "FORMAT",
    "SECRET_FIELDS",
    "FixtureFormatError",
    "Recorder",
    "Redactor",
    "ReplayError",
    "ReplayMismatchError",
    "Replayer",
    "UnrecordedRequestError",
    "UnusedExchangesError",
    "check_recording",
    "load_recording",
    "request_from_json",
    "request_to_json",
    "response_from_json",
    "response_to_json",
]

FORMAT = "auth0-core-recording/1"

# Names of form fields, query parameters and JSON members whose values are credentials.
SECRET_FIELDS = frozenset(
    {
        "access_token",
        "actor_token",
        "assertion",
        "auth_req_id",
        "auth_session",
        "binding_code",
        "client_assertion",
        "client_secret",
        "code",
        "code_verifier",
        "connect_code",
        "id_token",
        "id_token_hint",
        "issued_token",
        "logout_token",
        "mfa_token",
        "oob_code",
        "otp",
        "password",
        "recovery_code",
        "refresh_token",
        "session_transfer_token",
        "subject_token",
        "token",
    }
)
# Callback URL parameters that are secrets (the rest, like state and iss, are kept).
_CALLBACK_SECRETS = frozenset({"code", "connect_code"})
_PLACEHOLDER_PREFIX = "redacted-"
# Values shorter than this are replaced where they are named, never by a search of the text.
_MIN_SEARCHED = 8

Json = Any


# --- errors -----------------------------------------------------------------------------------


class ReplayError(Exception):
    """Root of the replay tool's errors.

    Not an :class:`~auth0_core.errors.Auth0Error` on purpose: a broken fixture is a failing
    test, never something an application's ``except Auth0Error`` handler should render.
    Messages show recorded (already redacted) values and redacted live values only.
    """


class FixtureFormatError(ReplayError):
    """The file is not a recording this version reads."""


class ReplayMismatchError(ReplayError):
    """The client asked for a request other than the one recorded next.

    Attributes:
        flow: the recorded flow being replayed.
        index: the position of the expected exchange within that flow.
        differences: what differs, one line each (redacted values).
    """

    def __init__(self, flow: str, index: int, differences: list[str]) -> None:
        self.flow = flow
        self.index = index
        self.differences = differences
        super().__init__(
            f"flow {flow!r}, exchange #{index}: the request differs from the recording: "
            + "; ".join(differences)
        )


class UnrecordedRequestError(ReplayError):
    """The client asked for a request the recording does not have (none left, or none alike).

    Attributes:
        method: the live request's method.
        url: the live request's URL (redacted).
        flow: the flow being replayed, or ``None`` when every recorded flow was used up.
    """

    def __init__(self, method: str, url: str, flow: str | None) -> None:
        self.method = method
        self.url = url
        self.flow = flow
        where = f"in flow {flow!r}" if flow is not None else "after the last recorded flow"
        super().__init__(f"{method} {url} was not recorded {where}")


class UnusedExchangesError(ReplayError):
    """A flow (or the replay) ended with recorded exchanges it never asked for."""

    def __init__(self, unused: list[str]) -> None:
        self.unused = unused
        super().__init__(f"{len(unused)} recorded exchange(s) never requested: {unused}")


# --- JSON forms -------------------------------------------------------------------------------


def request_to_json(request: HttpRequest) -> dict[str, Any]:
    """A request as the recording keeps it."""
    return {
        "method": request.method,
        "url": request.url,
        "headers": [[name, value] for name, value in request.headers],
        "body": request.body.decode("utf-8", "surrogateescape"),
    }


def response_to_json(response: HttpResponse) -> dict[str, Any]:
    """A response as the recording keeps it."""
    return {
        "status": response.status,
        "headers": [[name, value] for name, value in response.headers],
        "body": response.body.decode("utf-8", "surrogateescape"),
    }


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    return str(body).encode("utf-8", "surrogateescape")


def request_from_json(data: Mapping[str, Any]) -> HttpRequest:
    return HttpRequest(
        method=str(data["method"]),
        url=str(data["url"]),
        headers=tuple((str(k), str(v)) for k, v in data["headers"]),
        body=_body_bytes(data["body"]),
    )


def response_from_json(data: Mapping[str, Any]) -> HttpResponse:
    """A recorded response (whose body may be text or, in a test's edited copy, bytes)."""
    return HttpResponse(
        status=int(data["status"]),
        headers=tuple((str(k), str(v)) for k, v in data["headers"]),
        body=_body_bytes(data["body"]),
    )


def load_recording(path: str | Path) -> dict[str, Any]:
    """Read and check a recording file.

    Raises:
        FixtureFormatError: not JSON, or not a recording of this format.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise FixtureFormatError(f"{path}: not JSON ({type(exc).__name__})") from None
    check_recording(data, str(path))
    return dict(data)


def check_recording(data: Any, where: str = "recording") -> None:
    """Raise :class:`FixtureFormatError` unless ``data`` has a recording's shape."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FixtureFormatError(f"{where}: not an {FORMAT} recording")
    flows = data.get("flows")
    if not isinstance(data.get("seed"), int) or not isinstance(flows, list):
        raise FixtureFormatError(f"{where}: needs an integer 'seed' and a 'flows' list")
    for number, flow in enumerate(flows):
        if not (
            isinstance(flow, dict)
            and isinstance(flow.get("name"), str)
            and isinstance(flow.get("now"), int | float)
            and isinstance(flow.get("exchanges"), list)
            and all(
                isinstance(e, dict) and isinstance(e.get("request"), dict) and "response" in e
                for e in flow["exchanges"]
            )
        ):
            raise FixtureFormatError(f"{where}: flow #{number} is malformed")


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


# --- recording --------------------------------------------------------------------------------


# The meta of the flow that collects exchanges made outside any ``with recorder.flow()``.
_IMPLICIT: dict[str, Any] = {}


def _whole_seconds() -> float:
    return float(int(time.time()))


class Recorder:
    """Collects a client's exchanges, redacted, grouped in named flows; writes the recording.

    Give the client under test ``env=recorder.env`` (seeded randomness, and ``clock``: the
    wall clock in whole seconds unless you pass your own) and a recording transport of its
    adapter. Wrap each call (or group of calls) in ``with recorder.flow("name"):``; exchanges
    outside any flow go to a flow named ``"default"``. One flow at a time: a recorder is not
    meant for concurrent calls.

    ``meta`` (JSON) is written with the recording, for your tests (the client options you
    recorded with, say; never a secret): like each flow's, it is written with every secret
    seen in the exchanges replaced. ``seed`` is random unless given. The seeded randomness is
    *predictable*: record against a development tenant only, never use ``recorder.env`` in
    production.
    """

    def __init__(
        self,
        *,
        description: str = "",
        seed: int | None = None,
        clock: Callable[[], float] | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.description = description
        self.meta = dict(meta or {})
        self.seed = secrets.randbits(48) if seed is None else seed
        self.clock: Callable[[], float] = clock if clock is not None else _whole_seconds
        self.env = Env(clock=self.clock, token_bytes=random.Random(self.seed).randbytes)  # noqa: S311 (replayable on purpose)
        self.redactor = Redactor()
        self._flows: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def _open(self, name: str, meta: dict[str, Any]) -> dict[str, Any]:
        flow = {
            "name": name,
            "now": self.clock(),
            "meta": meta,
            "callback_urls": [],
            "exchanges": [],
        }
        self._flows.append(flow)
        return flow

    @contextlib.contextmanager
    def flow(self, name: str, meta: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Record the exchanges made inside the block as the flow ``name``.

        Yields the flow's ``meta`` dict: anything JSON you store there is written with the
        flow (what your test expects of it, say).
        """
        with self._lock:
            if self._current is not None:
                raise RuntimeError("recorder flows do not nest")
            self._current = self._open(name, {} if meta is None else meta)
            current = self._current
        try:
            yield current["meta"]
        finally:
            with self._lock:
                self._current = None

    def record(self, request: HttpRequest, response: HttpResponse) -> None:
        """Add one exchange (the recording transports call this)."""
        redacted_request = self.redactor.request(request)
        # The transports hand over decoded bodies: the encoding headers no longer apply.
        response = HttpResponse(
            status=response.status,
            headers=tuple(
                (name, value)
                for name, value in response.headers
                if name.lower() not in ("content-encoding", "transfer-encoding")
            ),
            body=response.body,
        )
        redacted_response = self.redactor.response(response)
        with self._lock:
            self._flow_for_exchange()["exchanges"].append(
                {
                    "now": self.clock(),
                    "request": request_to_json(redacted_request),
                    "response": response_to_json(redacted_response),
                }
            )

    def _flow_for_exchange(self) -> dict[str, Any]:
        if self._current is not None:
            return self._current
        if self._flows and self._flows[-1]["meta"] is _IMPLICIT:
            return self._flows[-1]
        return self._open("default", _IMPLICIT)

    def callback_url(self, url: str) -> str:
        """Record the callback URL the browser came back with; returns it unchanged.

        On replay, :meth:`Replayer.callback_url` gives the recorded one (its code replaced).
        """
        redacted = self.redactor.callback_url(url)
        with self._lock:
            self._flow_for_exchange()["callback_urls"].append(redacted)
        return url

    def input(self, value: str, kind: str = "input") -> str:
        """Record a credential handed to the client from outside its exchanges (a
        back-channel logout token, a token from another system); returns it unchanged.

        A JWT is re-minted with the fixture key of its ``kid`` (so it verifies on replay),
        anything else becomes a placeholder. On replay, :meth:`Replayer.input` gives it.
        """
        with self.redactor._lock:
            redacted = self.redactor.token(kind, value)
        with self._lock:
            self._flow_for_exchange().setdefault("inputs", []).append(redacted)
        return value

    def recording(self) -> dict[str, Any]:
        """The recording as JSON data."""
        with self._lock:
            data: dict[str, Any] = json.loads(
                json.dumps(
                    {
                        "format": FORMAT,
                        "description": self.description,
                        "seed": self.seed,
                        "meta": self.redact(self.meta),
                        "flows": [
                            {**flow, "meta": self.redact(flow["meta"])} for flow in self._flows
                        ],
                    }
                )
            )
        return data

    def redact(self, value: Json) -> Json:
        """``value`` (JSON) with every secret of the recording replaced as in the exchanges:
        what the flows' and the recording's ``meta`` go through when written."""
        with self.redactor._lock:
            return self.redactor.known(value)

    def save(self, path: str | Path) -> None:
        """Write the recording (UTF-8 JSON, one member a line where it helps a diff)."""
        Path(path).write_text(
            json.dumps(self.recording(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )


# --- replaying --------------------------------------------------------------------------------


def _header_value(headers: Any, name: str) -> str | None:
    for key, value in headers:
        if str(key).lower() == name:
            return str(value)
    return None


def _parse_body(body: bytes, content_type: str) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return ("bytes", body)
    if text.strip()[:1] in ("{", "["):
        try:
            return ("json", json.loads(text))
        except (ValueError, RecursionError):
            pass
    if "form-urlencoded" in content_type.lower() or ("=" in text and not content_type):
        return ("form", sorted(parse_qsl(text, keep_blank_values=True)))
    return ("text", text)


def _url_key(url: str) -> tuple[str, str, str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.scheme.lower(), parts.netloc.lower(), parts.path, query


def _differences(live: HttpRequest, recorded: HttpRequest) -> list[str]:
    out = []
    if live.method != recorded.method:
        out.append(f"method {live.method} (recorded {recorded.method})")
    if _url_key(live.url) != _url_key(recorded.url):
        out.append(f"URL {live.url} (recorded {recorded.url})")
    live_body = _parse_body(live.body, _header_value(live.headers, "content-type") or "")
    recorded_body = _parse_body(
        recorded.body, _header_value(recorded.headers, "content-type") or ""
    )
    if live_body != recorded_body:
        if live_body[0] == recorded_body[0] == "form":
            live_fields, recorded_fields = dict(live_body[1]), dict(recorded_body[1])
            changed = sorted(
                name
                for name in live_fields.keys() | recorded_fields.keys()
                if live_fields.get(name) != recorded_fields.get(name)
            )
            shown = [
                f"{n}={live_fields.get(n)!r} (recorded {recorded_fields.get(n)!r})" for n in changed
            ]
            out.append("form fields differ: " + ", ".join(shown))
        else:
            out.append(f"{live_body[0]} body differs from the recorded {recorded_body[0]} body")
    if _header_value(live.headers, "authorization") != _header_value(
        recorded.headers, "authorization"
    ):
        out.append("Authorization header differs")
    return out


def _same_endpoint(live: HttpRequest, recorded: HttpRequest) -> bool:
    return live.method == recorded.method and _url_key(live.url)[:3] == _url_key(recorded.url)[:3]


def _known_values(recording: Mapping[str, Any]) -> list[str]:
    """The replacements a replayed client may send back: every credential value in the
    recorded responses and callback URLs."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for member, item in value.items():
                if member in SECRET_FIELDS and isinstance(item, str):
                    found.append(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for flow in recording["flows"]:
        for url in flow.get("callback_urls") or []:
            found.extend(v for n, v in parse_qsl(urlsplit(url).query) if n in _CALLBACK_SECRETS)
        found.extend(str(value) for value in flow.get("inputs") or [])
        for exchange in flow["exchanges"]:
            body = exchange["response"]["body"]
            if isinstance(body, str) and body.strip()[:1] in ("{", "["):
                with contextlib.suppress(ValueError, RecursionError):
                    walk(json.loads(body))
    return found


class Replayer:
    """Answers a client's requests from a recording, with no network.

    Give the client ``env=replayer.env`` and the replay transport of its adapter
    (``auth0_requests.recording.replay_session`` / ``auth0_anyio.recording.replay_client``,
    or any handler taking :meth:`handle`). Wrap the calls in ``with replayer.flow("name"):``
    as they were recorded: entering a flow sets the clock to the flow's recorded time;
    leaving it checks that every exchange of the flow was asked for.

    ``ordered=True`` (the default): each request must be the one recorded next
    (:class:`ReplayMismatchError` otherwise). ``ordered=False``, for edited recordings whose
    flows may take another path: a request is answered by the first unused exchange for the
    same method and URL path, or else the last one (a re-fetch).

    Raises:
        FixtureFormatError: ``recording`` is not a recording.
    """

    def __init__(self, recording: Mapping[str, Any] | str | Path, *, ordered: bool = True) -> None:
        if isinstance(recording, str | Path):
            recording = load_recording(recording)
        else:
            check_recording(recording)
        self.recording = recording
        self.ordered = ordered
        flows = recording["flows"]
        self.clock = FixedClock(flows[0]["now"] if flows else 0)
        self.env = Env(clock=self.clock, token_bytes=random.Random(recording["seed"]).randbytes)  # noqa: S311
        self.redactor = Redactor(known=_known_values(recording), remint=False)
        # (flow number, exchange number, recorded request, recorded exchange)
        self._exchanges = [
            (f, i, request_from_json(e["request"]), e)
            for f, flow in enumerate(flows)
            for i, e in enumerate(flow["exchanges"])
        ]
        self._used = [False] * len(self._exchanges)
        self._flow: int | None = None  # the flow entered with flow(), if any
        self._next_flow = 0
        self._callbacks: dict[int, int] = {}
        self._inputs: dict[int, int] = {}
        self.requests: list[HttpRequest] = []  # every live request, redacted
        self._lock = threading.Lock()

    # flows -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def flow(self, name: str) -> Iterator[dict[str, Any]]:
        """Replay the next recorded flow, which must be named ``name``; yields its ``meta``.

        Raises:
            ReplayMismatchError: the next recorded flow has another name (or there is none).
            UnusedExchangesError: (on leaving without an error) exchanges of the flow were
                never asked for.
        """
        flows = self.recording["flows"]
        number = self._next_flow
        if number >= len(flows) or flows[number]["name"] != name:
            recorded = flows[number]["name"] if number < len(flows) else None
            raise ReplayMismatchError(name, 0, [f"the next recorded flow is {recorded!r}"])
        self._next_flow = number + 1
        self._flow = number
        self.clock.now = flows[number]["now"]
        try:
            yield flows[number].get("meta") or {}
        except BaseException:
            self._flow = None
            raise
        self._flow = None
        if self.ordered:
            unused = self._unused(number)
            if unused:
                raise UnusedExchangesError(unused)

    def callback_url(self, url: str | None = None) -> str:
        """The next callback URL recorded in the current flow (``url`` is ignored: the
        recording's own, whose code the replayed token request carries).

        Raises:
            UnrecordedRequestError: the flow recorded no (further) callback URL.
        """
        flows = self.recording["flows"]
        number = self._flow if self._flow is not None else max(self._next_flow - 1, 0)
        urls = (flows[number].get("callback_urls") or []) if number < len(flows) else []
        used = self._callbacks.get(number, 0)
        if used >= len(urls):
            name = flows[number]["name"] if number < len(flows) else None
            raise UnrecordedRequestError("CALLBACK", "(browser redirect)", name)
        self._callbacks[number] = used + 1
        return str(urls[used])

    def redact(self, value: Json) -> Json:
        """``value`` (JSON) with the secrets the replayed client sent replaced as the recorder
        replaced them: compare what a replay produced with what was recorded in a ``meta``."""
        with self.redactor._lock:
            return self.redactor.known(value)

    def unused(self) -> list[tuple[int, int]]:
        """(flow number, exchange number) of every recorded exchange not asked for yet."""
        return [
            (f, i)
            for (f, i, _, _), used in zip(self._exchanges, self._used, strict=True)
            if not used
        ]

    def input(self, value: str | None = None) -> str:
        """The next input (:meth:`Recorder.input`) recorded in the current flow (``value`` is
        ignored: the recording's own).

        Raises:
            UnrecordedRequestError: the flow recorded no (further) input.
        """
        flows = self.recording["flows"]
        number = self._flow if self._flow is not None else max(self._next_flow - 1, 0)
        inputs = (flows[number].get("inputs") or []) if number < len(flows) else []
        used = self._inputs.get(number, 0)
        if used >= len(inputs):
            name = flows[number]["name"] if number < len(flows) else None
            raise UnrecordedRequestError("INPUT", "(a value handed to the client)", name)
        self._inputs[number] = used + 1
        return str(inputs[used])

    def _unused(self, flow: int | None = None) -> list[str]:
        return [
            f"{self.recording['flows'][f]['name']}#{i}: {request.method} {request.url}"
            for (f, i, request, _), used in zip(self._exchanges, self._used, strict=True)
            if not used and (flow is None or f == flow)
        ]

    def finish(self) -> None:
        """Check that every recorded exchange was asked for.

        Raises:
            UnusedExchangesError: some never were.
        """
        unused = self._unused()
        if unused:
            raise UnusedExchangesError(unused)

    # answering ---------------------------------------------------------------------------

    def _current_flow_name(self, position: int | None) -> str | None:
        flows = self.recording["flows"]
        if self._flow is not None:
            return str(flows[self._flow]["name"])
        if position is not None:
            return str(flows[self._exchanges[position][0]]["name"])
        return None

    def _ordered(self, live: HttpRequest) -> int:
        position = next(
            (
                p
                for p, used in enumerate(self._used)
                if not used and (self._flow is None or self._exchanges[p][0] >= self._flow)
            ),
            None,
        )
        if position is None or (
            self._flow is not None and self._exchanges[position][0] != self._flow
        ):
            raise UnrecordedRequestError(live.method, live.url, self._current_flow_name(None))
        flow, index, recorded, _ = self._exchanges[position]
        differences = _differences(live, recorded)
        if differences:
            raise ReplayMismatchError(self.recording["flows"][flow]["name"], index, differences)
        return position

    def _any_order(self, live: HttpRequest) -> int:
        candidates = [
            p
            for p, (_, _, recorded, _) in enumerate(self._exchanges)
            if _same_endpoint(live, recorded)
        ]
        unused = [p for p in candidates if not self._used[p]]
        if unused:
            return unused[0]
        if candidates:
            return candidates[-1]
        raise UnrecordedRequestError(live.method, live.url, self._current_flow_name(None))

    def handle(self, request: HttpRequest) -> HttpResponse:
        """The recorded response to ``request``.

        Raises:
            ReplayMismatchError: (ordered) the request is not the one recorded next.
            UnrecordedRequestError: nothing (left) was recorded for it.
        """
        live = self.redactor.request(request)
        with self._lock:
            self.requests.append(live)
            position = self._ordered(live) if self.ordered else self._any_order(live)
            self._used[position] = True
            exchange = self._exchanges[position][3]
            if self._flow is None and self.ordered:
                self._next_flow = max(self._next_flow, self._exchanges[position][0] + 1)
            now = exchange.get("now")
            if isinstance(now, int | float):
                self.clock.now = now
            return response_from_json(exchange["response"])
