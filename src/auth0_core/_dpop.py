"""DPoP (RFC 9449): the client's proof-of-possession key, its proofs, and the one place a
proof goes on a request.

Opt-in (``dpop=True`` or ``dpop_key=...``, docs/dpop.md). With a key, every token request
carries a ``DPoP`` proof, so the tenant may bind the tokens it issues to the key
(``token_type: DPoP``); every call made with a bound token sends ``Authorization: DPoP
<token>`` and a fresh proof carrying ``ath``. A ``use_dpop_nonce`` challenge is answered by
exactly one retry with the server's ``DPoP-Nonce``; the latest nonce each server sent is
remembered, so later requests carry it from the start.

Time (``iat``) and randomness (``jti``, a generated key) come from the configuration's
:class:`~auth0_core.Env`. The private key never appears in a repr, an error or a log line.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import attrs
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from ._effects import Flow, fetch, fetch_shared
from ._env import Env
from ._http import HttpRequest, HttpResponse
from .errors import ConfigurationError, InvalidResponse

if TYPE_CHECKING:
    from ._client import CoreClient
    from .endpoints.authentication.token import TokenResponse

__all__ = [
    "DEFAULT_ALGORITHM",
    "SUPPORTED_ALGORITHMS",
    "DPoPKey",
    "DPoPKeyInput",
    "DPoPNonces",
    "access_token_hash",
    "authorized_fetch",
    "check_token_type",
    "generate_dpop_key",
    "is_dpop",
    "load_dpop_key",
    "nonce_challenge",
    "proof_target",
    "token_fetch",
]

DEFAULT_ALGORITHM = "ES256"
SUPPORTED_ALGORITHMS = ("ES256", "ES384", "RS256", "PS256")
MIN_RSA_BITS = 2048

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
# What ``dpop_key`` accepts: a cryptography private key, a PEM (str or bytes), a private JWK.
DPoPKeyInput = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | str | bytes | Mapping[str, Any]

_CURVES: dict[str, tuple[type[ec.EllipticCurve], str, int]] = {
    # alg: (curve, JWK crv, coordinate size in bytes)
    "ES256": (ec.SECP256R1, "P-256", 32),
    "ES384": (ec.SECP384R1, "P-384", 48),
}
_CURVE_ORDERS = {
    "ES256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "ES384": int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
        "581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _b64_int(value: int, size: int) -> str:
    return _b64(value.to_bytes(size, "big"))


def _public_jwk(key: PrivateKey, alg: str) -> dict[str, str]:
    """The public JWK with only its required members, in RFC 7638's lexicographic order."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        _, crv, size = _CURVES[alg]
        numbers = key.public_key().public_numbers()
        return {
            "crv": crv,
            "kty": "EC",
            "x": _b64_int(numbers.x, size),
            "y": _b64_int(numbers.y, size),
        }
    public = key.public_key().public_numbers()
    return {
        "e": _b64_int(public.e, (public.e.bit_length() + 7) // 8),
        "kty": "RSA",
        "n": _b64_int(public.n, (public.n.bit_length() + 7) // 8),
    }


def _signer(key: PrivateKey, alg: str) -> Callable[[bytes], bytes]:
    """How ``alg`` signs with ``key``: a JWS signature (raw r||s for ECDSA)."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        size = _CURVES[alg][2]
        digest: hashes.HashAlgorithm = hashes.SHA256() if alg == "ES256" else hashes.SHA384()
        scheme = ec.ECDSA(digest)
        try:  # RFC 6979 where OpenSSL has it: a proof is then a function of the Env alone
            deterministic = ec.ECDSA(digest, deterministic_signing=True)
            key.sign(b"", deterministic)
            scheme = deterministic
        except (UnsupportedAlgorithm, TypeError):  # older OpenSSL or cryptography
            pass

        def sign_ec(data: bytes) -> bytes:
            r, s = decode_dss_signature(key.sign(data, scheme))
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")

        return sign_ec
    if alg == "PS256":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return lambda data: key.sign(data, pss, hashes.SHA256())
    return lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def access_token_hash(access_token: str) -> str:
    """``ath``: base64url(SHA-256(the access token's ASCII))."""
    return _b64(hashlib.sha256(access_token.encode("ascii", "replace")).digest())


def proof_target(url: str) -> str:
    """``htu``: ``url`` without its query and fragment (RFC 9449 §4.2)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class DPoPKey:
    """The client's DPoP private key, with everything about it that never changes (the
    public JWK, its RFC 7638 thumbprint, the proofs' encoded header) computed once.

    Its repr shows the algorithm and the thumbprint (a digest of the public key), never the
    key; it cannot be pickled or serialised.
    """

    __slots__ = ("_header", "_sign", "alg", "public_jwk", "thumbprint")

    def __init__(self, private_key: PrivateKey, alg: str) -> None:
        self.alg = alg
        jwk = _public_jwk(private_key, alg)
        self.public_jwk: Mapping[str, str] = jwk
        self.thumbprint = _b64(hashlib.sha256(_json(jwk)).digest())
        self._header = _b64(_json({"typ": "dpop+jwt", "alg": alg, "jwk": jwk}))
        self._sign = _signer(private_key, alg)

    def proof(
        self,
        method: str,
        url: str,
        *,
        iat: int,
        jti: str,
        nonce: str | None = None,
        access_token: str | None = None,
    ) -> str:
        """A signed proof JWT for ``method`` ``url`` (claims ``jti``, ``htm``, ``htu``, ``iat``;
        ``nonce`` when given; ``ath`` for a request that carries ``access_token``)."""
        claims: dict[str, object] = {
            "jti": jti,
            "htm": method,
            "htu": proof_target(url),
            "iat": iat,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = access_token_hash(access_token)
        signing_input = f"{self._header}.{_b64(_json(claims))}"
        return f"{signing_input}.{_b64(self._sign(signing_input.encode('ascii')))}"

    def __repr__(self) -> str:
        return f"DPoPKey(alg={self.alg!r}, thumbprint={self.thumbprint!r})"

    def __reduce__(self) -> Any:
        raise TypeError("a DPoP key cannot be pickled")

    def __copy__(self) -> DPoPKey:
        return self

    def __deepcopy__(self, memo: object) -> DPoPKey:
        return self


# --- configuration -------------------------------------------------------------------------


def _refuse(message: str) -> ConfigurationError:
    # Messages are fixed sentences: never the value, which may be the key itself.
    return ConfigurationError(f"'dpop_key' {message}")


def _algorithm_for(key: PrivateKey, alg: str | None) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        by_curve = {"secp256r1": "ES256", "secp384r1": "ES384"}.get(key.curve.name)
        if by_curve is None:
            raise _refuse("must be an EC key on P-256 or P-384, or an RSA key.")
        if alg is not None and alg != by_curve:
            raise _refuse(f"is an EC {_CURVES[by_curve][1]} key: its algorithm is {by_curve}.")
        return by_curve
    if key.key_size < MIN_RSA_BITS:
        raise _refuse(f"is an RSA key shorter than {MIN_RSA_BITS} bits.")
    if alg is None:
        return "RS256"
    if alg not in ("RS256", "PS256"):
        raise _refuse("is an RSA key: its algorithm is RS256 or PS256.")
    return alg


def _from_jwk(value: Mapping[str, Any]) -> tuple[PrivateKey, str | None]:
    kty = value.get("kty")
    if kty == "oct":
        raise _refuse("is a symmetric key; DPoP needs an asymmetric private key.")
    if kty not in ("EC", "RSA"):
        raise _refuse("must be an EC or RSA JWK.")
    if "d" not in value:
        raise _refuse("is a public JWK; DPoP needs the private key.")
    alg = value.get("alg")
    if alg is not None and not isinstance(alg, str):
        raise _refuse("has an 'alg' that is not a string.")
    try:
        imported = (ECKey if kty == "EC" else RSAKey).import_key(dict(value))
        private = imported.private_key
    except (JoseError, ValueError, TypeError, KeyError, UnsupportedAlgorithm):
        raise _refuse("is not a valid private JWK.") from None
    if not isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise _refuse("is not a valid private JWK.")
    return private, alg


def _from_pem(value: str | bytes) -> PrivateKey:
    data = value.encode("utf-8") if isinstance(value, str) else value
    if b"PUBLIC KEY-----" in data or b"CERTIFICATE-----" in data:
        raise _refuse("is a public key or a certificate; DPoP needs the private key.")
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise _refuse("is not an unencrypted PEM private key.") from None
    if not isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise _refuse("must be an EC (P-256, P-384) or RSA private key.")
    return private


def load_dpop_key(value: object, alg: str | None = None) -> DPoPKey:
    """The :class:`DPoPKey` for ``value``: a ``cryptography`` EC (P-256, P-384) or RSA
    (2048 bits or more) private key, the same as an unencrypted PEM (str or bytes), or a
    private JWK (a dict; its ``alg`` is used when ``alg`` is None).

    Raises:
        ConfigurationError: a symmetric or public-only key, another key type or curve, an
            algorithm that does not fit the key. The message never contains the value.
    """
    if alg is not None and alg not in SUPPORTED_ALGORITHMS:
        raise ConfigurationError(f"'dpop_alg' must be one of {', '.join(SUPPORTED_ALGORITHMS)}.")
    private: object
    if isinstance(value, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        private = value
    elif isinstance(value, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise _refuse("is a public key; DPoP needs the private key.")
    elif isinstance(value, str | bytes):
        private = _from_pem(value)
    elif isinstance(value, Mapping):
        private, jwk_alg = _from_jwk(value)
        if alg is not None and jwk_alg is not None and alg != jwk_alg:
            raise _refuse("names another algorithm in its 'alg' than 'dpop_alg'.")
        alg = alg or jwk_alg
        if alg is not None and alg not in SUPPORTED_ALGORITHMS:
            raise _refuse(f"has an 'alg' that is not one of {', '.join(SUPPORTED_ALGORITHMS)}.")
    else:
        raise _refuse("must be a private key, a PEM private key or a private JWK (dict).")
    assert isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return DPoPKey(private, _algorithm_for(private, alg))


def generate_dpop_key(env: Env, alg: str = DEFAULT_ALGORITHM) -> DPoPKey:
    """A new key for ``alg``. EC keys are drawn from ``env.token_bytes`` (the private scalar,
    with 64 extra bits against modulo bias), so a test's Env fixes the key; RSA keys come
    from OpenSSL's generator, which takes no injected randomness.

    Raises:
        ConfigurationError: ``alg`` is not supported.
    """
    if alg not in SUPPORTED_ALGORITHMS:
        raise ConfigurationError(f"'dpop_alg' must be one of {', '.join(SUPPORTED_ALGORITHMS)}.")
    if alg in _CURVES:
        curve, _, size = _CURVES[alg]
        order = _CURVE_ORDERS[alg]
        scalar = int.from_bytes(env.token_bytes(size + 8), "big") % (order - 1) + 1
        return DPoPKey(ec.derive_private_key(scalar, curve()), alg)
    return DPoPKey(rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS), alg)


# --- nonces --------------------------------------------------------------------------------

ServerKind = Literal["token", "resource"]
# RFC 9449 §8.1: nonce = 1*NQCHAR; bounded so a server cannot grow every proof without end.
_NONCE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]{1,512}")
MAX_REMEMBERED_SERVERS = 64


def _origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port
    default = {"https": 443, "http": 80}.get(scheme)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}" + (f":{port}" if port is not None and port != default else "")


class DPoPNonces:
    """The latest ``DPoP-Nonce`` each server sent, per origin and kind (the authorization
    server's token endpoint and a resource server keep separate nonces, RFC 9449 §8-9, even
    when one origin serves both, as Auth0's My Account API does).

    Each server's nonce also has a *generation*: 0 until a challenge teaches a nonce, then a
    number that changes with every nonce a challenge teaches (a nonce a success brings keeps
    the generation). Shared requests are keyed by it (:func:`_proof_fetch`). Threads may call
    in at once: each update is one dict operation, and every caller that reads one challenge
    gets the same generation for its nonce.

    At most :data:`MAX_REMEMBERED_SERVERS` servers are kept, the oldest dropped first.
    """

    def __init__(self) -> None:
        self._nonces: dict[tuple[str, ServerKind], tuple[str, int]] = {}
        self._generations: dict[tuple[str, ServerKind, str], int] = {}
        self._counter = itertools.count(1)

    def current(self, url: str, kind: ServerKind) -> tuple[str | None, int]:
        """(the nonce to send to ``url``'s server, its generation); (None, 0) at first."""
        return self._nonces.get((_origin(url), kind), (None, 0))

    def get(self, url: str, kind: ServerKind) -> str | None:
        """The nonce to send to ``url``'s server, None until it sent one."""
        return self.current(url, kind)[0]

    def remember(
        self, url: str, kind: ServerKind, response: HttpResponse, *, challenge: bool = False
    ) -> str | None:
        """Keep the response's ``DPoP-Nonce`` (a success's or a challenge's); return it.

        ``challenge``: the response asked for the nonce, which then starts a new generation
        unless it is the one already known.
        """
        value = response.header("DPoP-Nonce")
        if value is None or not _NONCE.fullmatch(value.strip()):
            return None
        value = value.strip()
        key = (_origin(url), kind)
        stored = self._nonces.get(key, (None, 0))
        generation = stored[1]
        if challenge and value != stored[0]:
            # setdefault: threads reading the same challenge agree on one generation.
            generation = self._generations.setdefault((*key, value), next(self._counter))
            if len(self._generations) > 4 * MAX_REMEMBERED_SERVERS:
                for learned in list(self._generations)[:-MAX_REMEMBERED_SERVERS]:
                    self._generations.pop(learned, None)
        if (value, generation) != stored:
            self._nonces.pop(key, None)
            self._nonces[key] = (value, generation)
            if len(self._nonces) > MAX_REMEMBERED_SERVERS:
                for stale in list(self._nonces)[:-MAX_REMEMBERED_SERVERS]:
                    self._nonces.pop(stale, None)
        return value

    def __repr__(self) -> str:
        return f"DPoPNonces(servers={len(self._nonces)})"


# RFC 9110 §11.6.1 challenges: a scheme, then auth-params (token68 values read as params).
_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_PARAM = re.compile(rf'[ \t]*({_TOKEN})[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^ \t,"]*)')
_SCHEME = re.compile(rf"[ \t]*({_TOKEN})(?=[ \t,]|$)")


def _challenges(value: str) -> list[tuple[str, dict[str, str]]]:
    found: list[tuple[str, dict[str, str]]] = []
    position = 0
    while position < len(value):
        if value[position] in ", \t":
            position += 1
            continue
        match = _PARAM.match(value, position) if found else None
        if match is not None:
            raw = match.group(2)
            if raw.startswith('"'):
                raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
            found[-1][1].setdefault(match.group(1).lower(), raw)
            position = match.end()
            continue
        match = _SCHEME.match(value, position)
        if match is None:
            break  # not a challenge list we can read: what was read so far stands
        found.append((match.group(1).lower(), {}))
        position = match.end()
    return found


def nonce_challenge(response: HttpResponse, kind: ServerKind) -> bool:
    """Whether ``response`` asks for a DPoP nonce: ``400`` with ``error=use_dpop_nonce`` from
    a token endpoint (RFC 9449 §8; a ``401`` is read the same way), ``401`` with a ``DPoP``
    challenge whose ``error`` is ``use_dpop_nonce`` from a resource server (§9)."""
    if kind == "resource":
        if response.status != 401:
            return False
        return any(
            scheme == "dpop" and params.get("error") == "use_dpop_nonce"
            for header in response.header_values("WWW-Authenticate")
            for scheme, params in _challenges(header)
        )
    if response.status not in (400, 401):
        return False
    document = response.json_or_none()
    return isinstance(document, dict) and document.get("error") == "use_dpop_nonce"


# --- sending -------------------------------------------------------------------------------


def _with_headers(request: HttpRequest, *added: tuple[str, str]) -> HttpRequest:
    names = {name.lower() for name, _ in added}
    kept = tuple((name, value) for name, value in request.headers if name.lower() not in names)
    return attrs.evolve(request, headers=(*kept, *added))


def _proof_fetch(
    client: CoreClient,
    key: DPoPKey,
    build: Callable[[], HttpRequest],
    kind: ServerKind,
    access_token: str | None,
    shared: str | None,
) -> Flow[HttpResponse]:
    """Send ``build()`` with a fresh proof; on a nonce challenge that brings a nonce, build
    it again (a client assertion is single-use) and send it once more with the nonce. A
    second challenge is the answer: a caller never makes a third request.

    A shared request is keyed by ``shared`` and the generation of the nonce its proof
    carries, so the requests that share one flight carry the same nonce generation: callers
    that built a proof with a stale nonce share a request that fails harmlessly (a server
    answers ``use_dpop_nonce`` before it uses the grant) and then join the retry with the
    fresh nonce, which every later caller with that nonce joins too (or receives its
    remembered success). A refresh token is thus presented once, not once per generation.
    """
    env = client.config.env
    nonces = client.dpop_nonces
    response: HttpResponse | None = None
    for attempt in (0, 1):
        request = build()
        sent, generation = nonces.current(request.url, kind)
        proof = key.proof(
            request.method,
            request.url,
            iat=env.now(),
            jti=env.random_urlsafe(16),
            nonce=sent,
            access_token=access_token,
        )
        headers = [("DPoP", proof)]
        if access_token is not None:
            headers.insert(0, ("Authorization", f"DPoP {access_token}"))
        request = _with_headers(request, *headers)
        if shared is None:
            response = yield from fetch(request)
        else:
            key_now = shared if generation == 0 else f"{shared}:dpop-nonce-{generation}"
            response = yield from fetch_shared(key_now, request)
        challenged = nonce_challenge(response, kind)
        latest = nonces.remember(request.url, kind, response, challenge=challenged)
        if attempt or latest is None or not challenged:
            break
    assert response is not None
    return response


def token_fetch(
    client: CoreClient, build: Callable[[], HttpRequest], *, shared: str | None = None
) -> Flow[HttpResponse]:
    """Send a token-endpoint request, ``build()``, with a DPoP proof when the client has a
    key (answering one nonce challenge); as a :class:`SharedRequest` under ``shared`` when
    given. Without a key this is a plain fetch of ``build()``.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable (from ``build``).
    """
    key = client.config.dpop
    if key is None:
        request = build()
        if shared is None:
            return (yield from fetch(request))
        return (yield from fetch_shared(shared, request))
    return (yield from _proof_fetch(client, key, build, "token", None, shared))


def authorized_fetch(
    client: CoreClient, request: HttpRequest, access_token: str, *, bound: bool
) -> Flow[HttpResponse]:
    """Send ``request`` to a resource server with ``access_token``: ``Authorization: DPoP``
    and a proof with ``ath`` when the token is DPoP-bound (answering one nonce challenge),
    ``Authorization: Bearer`` otherwise.

    Raises:
        ConfigurationError: a DPoP-bound token and a client without a DPoP key.
    """
    if not bound:
        return (
            yield from fetch(_with_headers(request, ("Authorization", f"Bearer {access_token}")))
        )
    key = client.config.dpop
    if key is None:
        raise ConfigurationError(
            "this access token is DPoP-bound: the client needs its DPoP key ('dpop_key')."
        )
    return (yield from _proof_fetch(client, key, lambda: request, "resource", access_token, None))


def is_dpop(token_type: str | None) -> bool:
    """Whether a ``token_type`` names a DPoP-bound token (compared case-insensitively)."""
    return token_type is not None and token_type.lower() == "dpop"


def check_token_type(client: CoreClient, tokens: TokenResponse) -> None:
    """Refuse a token bound to a key this client does not have.

    A ``DPoP`` token answered to a request without a proof (no key configured) is unusable:
    refused. A ``Bearer`` token answered to a request with a proof is accepted: Auth0 issues
    unbound tokens for an API whose sender-constraining policy is ``none``, and such a token
    is used as a bearer token (docs/dpop.md).

    Raises:
        InvalidResponse: a DPoP-bound token and a client without a DPoP key.
    """
    if client.config.dpop is None and is_dpop(tokens.token_type):
        raise InvalidResponse(
            "the token endpoint answered a DPoP-bound token to a request without a DPoP "
            "proof; configure 'dpop' or 'dpop_key' to use it",
            status=200,
        )
