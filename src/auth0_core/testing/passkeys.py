"""A software WebAuthn authenticator for tests: what a browser and a platform authenticator do
between a passkey challenge and ``signin_with_passkey`` (docs/passkeys.md).

:class:`SoftwareAuthenticator` makes EC P-256 credentials (keys generated with
``cryptography``, kept in the object only) and answers creation options with a registration
credential (``attestationObject`` in CBOR, format ``none`` or ``packed`` self-attestation,
the attested credential data carrying a COSE EC2 key) and request options with an assertion
(``authenticatorData`` and an ES256 signature over ``authenticatorData ||
SHA-256(clientDataJSON)``), each as the JSON the browser serialises (base64url members).
Every part can be spoiled for negative tests: the challenge, origin, RP ID, flags, counter,
signature, credential id and user handle.

It is independent of the tenant's verifier (py_webauthn): the encoding is written here, so a
test signs what the WebAuthn specification says, not what the verifier expects.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["SoftwareAuthenticator", "SoftwareCredential", "b64url", "cbor_encode", "unb64url"]

FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_BE = 0x08
FLAG_BS = 0x10
FLAG_AT = 0x40
ES256 = -7


def b64url(data: bytes) -> str:
    """Base64url without padding (WebAuthn's JSON encoding of bytes)."""
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """The bytes of a base64url text, padded or not."""
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, value)
    raise ValueError("integer too large for CBOR")


def cbor_encode(value: object) -> bytes:
    """The CBOR (RFC 8949) of ``value``: the subset WebAuthn needs (integers, byte and text
    strings, arrays, maps with their keys in the given order, booleans)."""
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return _head(3, len(data)) + data
    if isinstance(value, list | tuple):
        return _head(4, len(value)) + b"".join(cbor_encode(item) for item in value)
    if isinstance(value, Mapping):
        items = b"".join(cbor_encode(k) + cbor_encode(v) for k, v in value.items())
        return _head(5, len(value)) + items
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


@attrs.define(kw_only=True)
class SoftwareCredential:
    """A credential the authenticator holds: its id, private key, RP ID, user handle and
    signature counter."""

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey = attrs.field(repr=False)
    rp_id: str
    user_handle: bytes = attrs.field(repr=False)
    sign_count: int = 0

    def cose_key(self) -> dict[int, Any]:
        """The public key as a COSE EC2 key (kty 2, alg ES256, crv P-256, x, y)."""
        numbers = self.private_key.public_key().public_numbers()
        return {
            1: 2,
            3: ES256,
            -1: 1,
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }


def _options(options: object) -> dict[str, Any]:
    """WebAuthn options as a dict: a mapping, or our result type (``to_dict()``)."""
    to_dict = getattr(options, "to_dict", None)
    value = to_dict() if callable(to_dict) else options
    if not isinstance(value, Mapping):
        raise TypeError("options must be a mapping or have to_dict()")
    return dict(value)


class SoftwareAuthenticator:
    """A platform authenticator in software, with the browser's serialisation around it.

    ``origin`` is the page's origin the browser reports (default ``https://{rp_id}``);
    ``random`` makes credential ids (the private keys come from ``cryptography``).
    """

    def __init__(
        self,
        *,
        origin: str | None = None,
        aaguid: bytes = b"\0" * 16,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self.origin = origin
        self._random = random
        self.aaguid = aaguid
        self.credentials: dict[bytes, SoftwareCredential] = {}

    def __repr__(self) -> str:
        return f"SoftwareAuthenticator(credentials={len(self.credentials)})"

    def _client_data(self, kind: str, challenge: str, origin: str | None, rp_id: str) -> bytes:
        document = {
            "type": kind,
            "challenge": challenge,
            "origin": origin or self.origin or f"https://{rp_id}",
            "crossOrigin": False,
        }
        return json.dumps(document, separators=(",", ":")).encode()

    def create(
        self,
        options: object,
        *,
        attestation: Literal["none", "packed"] = "none",
        origin: str | None = None,
        challenge: str | None = None,
        rp_id: str | None = None,
        flags: int = FLAG_UP | FLAG_UV | FLAG_AT,
        client_data_type: str = "webauthn.create",
        corrupt_signature: bool = False,
    ) -> dict[str, Any]:
        """Answer creation options (``authn_params_public_key`` of a sign-up challenge) with
        a new credential: the browser's ``PublicKeyCredential`` JSON. ``corrupt_signature``
        signs a ``packed`` statement with another key than the credential's."""
        opts = _options(options)
        rp = opts.get("rp") or {}
        real_rp_id = rp.get("id") if isinstance(rp, Mapping) else None
        if not isinstance(real_rp_id, str):
            raise ValueError("the creation options name no rp.id")
        user = opts.get("user") or {}
        user_handle = unb64url(str(user.get("id", ""))) if isinstance(user, Mapping) else b""
        credential = SoftwareCredential(
            credential_id=self._random(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=real_rp_id,
            user_handle=user_handle,
        )
        client_data = self._client_data(
            client_data_type, challenge or str(opts["challenge"]), origin, real_rp_id
        )
        attested = (
            self.aaguid
            + struct.pack(">H", len(credential.credential_id))
            + credential.credential_id
            + cbor_encode(credential.cose_key())
        )
        auth_data = (
            hashlib.sha256((rp_id or real_rp_id).encode()).digest()
            + bytes([flags])
            + struct.pack(">I", credential.sign_count)
            + attested
        )
        statement: dict[str, Any] = {}
        if attestation == "packed":
            signed = auth_data + hashlib.sha256(client_data).digest()
            signer = credential.private_key
            if corrupt_signature:
                signer = ec.generate_private_key(ec.SECP256R1())
            signature = signer.sign(signed, ec.ECDSA(hashes.SHA256()))
            statement = {"alg": ES256, "sig": signature}
        attestation_object = cbor_encode(
            {"fmt": attestation, "attStmt": statement, "authData": auth_data}
        )
        self.credentials[credential.credential_id] = credential
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation_object),
            },
            "clientExtensionResults": {},
        }

    def get(
        self,
        options: object,
        *,
        credential_id: bytes | None = None,
        origin: str | None = None,
        challenge: str | None = None,
        rp_id: str | None = None,
        flags: int = FLAG_UP | FLAG_UV,
        sign_count: int | None = None,
        corrupt_signature: bool = False,
        user_handle: bytes | None = None,
        client_data_type: str = "webauthn.get",
    ) -> dict[str, Any]:
        """Answer request options (``authn_params_public_key`` of a login challenge) with an
        assertion by ``credential_id`` (default: the newest credential for the RP ID). The
        counter goes up by one unless ``sign_count`` is given."""
        opts = _options(options)
        real_rp_id = str(opts.get("rpId") or "")
        if credential_id is None:
            for_rp = [c for c in self.credentials.values() if c.rp_id == real_rp_id]
            if not for_rp:
                raise ValueError(f"no credential for {real_rp_id!r}")
            credential = for_rp[-1]
        else:
            credential = self.credentials[credential_id]
        credential.sign_count = credential.sign_count + 1 if sign_count is None else sign_count
        client_data = self._client_data(
            client_data_type, challenge or str(opts["challenge"]), origin, real_rp_id
        )
        auth_data = (
            hashlib.sha256((rp_id or real_rp_id).encode()).digest()
            + bytes([flags])
            + struct.pack(">I", credential.sign_count)
        )
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = credential.private_key.sign(signed, ec.ECDSA(hashes.SHA256()))
        if corrupt_signature:
            signature = credential.private_key.sign(signed + b"!", ec.ECDSA(hashes.SHA256()))
        handle = credential.user_handle if user_handle is None else user_handle
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
                "userHandle": b64url(handle),
            },
            "clientExtensionResults": {},
        }
