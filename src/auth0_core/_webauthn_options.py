"""The WebAuthn options a passkey ceremony hands the browser, with the official ``auth_types``
names: the ``authn_params_public_key`` of a passkey sign-up or login challenge
(:mod:`._passkey_types`) and of a My Account passkey enrollment
(:mod:`._my_account_method_types`), which both read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

__all__ = [
    "PasskeyAuthenticatorSelection",
    "PasskeyPubKeyCredParam",
    "PasskeyPublicKeyOptions",
    "PasskeyRpInfo",
    "PasskeyUserInfo",
    "read_public_key_options",
]


@attrs.frozen(kw_only=True)
class PasskeyRpInfo:
    """The relying party of a sign-up: ``id`` (the RP ID) and ``name``."""

    id: str
    name: str


@attrs.frozen(kw_only=True)
class PasskeyUserInfo:
    """The user of a sign-up: ``id`` (the base64url user handle), ``name``,
    ``display_name``."""

    id: str
    name: str
    display_name: str | None = None


@attrs.frozen(kw_only=True)
class PasskeyPubKeyCredParam:
    """A key type and COSE algorithm the relying party accepts."""

    type: str
    alg: int


@attrs.frozen(kw_only=True)
class PasskeyAuthenticatorSelection:
    """What a sign-up asks of the authenticator."""

    resident_key: str | None = None
    user_verification: str | None = None


@attrs.frozen(kw_only=True)
class PasskeyPublicKeyOptions:
    """The WebAuthn options for the browser. :meth:`to_dict` is the tenant's JSON as sent
    (give it to ``navigator.credentials.create()`` / ``.get()`` after decoding the
    base64url members); the attributes read it with the official names."""

    _aliases: ClassVar[Mapping[str, str]] = {
        "rp_id": "rpId",
        "pub_key_cred_params": "pubKeyCredParams",
        "authenticator_selection": "authenticatorSelection",
        "user_verification": "userVerification",
    }

    challenge: str
    rp: PasskeyRpInfo | None = None
    rp_id: str | None = None
    user: PasskeyUserInfo | None = None
    pub_key_cred_params: list[PasskeyPubKeyCredParam] | None = None
    authenticator_selection: PasskeyAuthenticatorSelection | None = None
    timeout: int | None = None
    user_verification: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    def to_dict(self) -> dict[str, Any]:
        """The options as the tenant sent them (WebAuthn's member names)."""
        return dict(self.raw)

    def model_dump(self, *, by_alias: bool = False, exclude_none: bool = False,
                   **_options: Any) -> dict[str, Any]:  # fmt: skip
        """As the official pydantic model dumps: WebAuthn's names with ``by_alias=True``,
        else the snake_case ones; members the tenant added are kept."""
        if by_alias:
            dumped = dict(self.raw)
        else:
            inverse = {alias: name for name, alias in self._aliases.items()}
            dumped = {inverse.get(k, k): v for k, v in self.raw.items()}
        return {k: v for k, v in dumped.items() if v is not None} if exclude_none else dumped

    def __getitem__(self, name: str) -> Any:
        return self.raw[name]


def _text(value: object, what: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"answer's {what} is not text")
    return value


def _int(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"answer's {what} is not a number")
    return value


def _object(value: object, what: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"answer's {what} is not an object")
    return value


def read_public_key_options(value: object) -> PasskeyPublicKeyOptions:
    """The ``authn_params_public_key`` object of an answer (a passkey challenge's, a My Account
    passkey enrollment's), the tenant's JSON kept as ``raw``.

    Raises:
        ValueError: a missing challenge or an ill-typed member (what is wrong, for the
            caller's own error).
    """
    document = _object(value, "authn_params_public_key")
    if document is None:
        raise ValueError("answer has no authn_params_public_key")
    challenge = _text(document.get("challenge"), "challenge")
    assert challenge is not None
    rp = _object(document.get("rp"), "rp")
    user = _object(document.get("user"), "user")
    selection = _object(document.get("authenticatorSelection"), "authenticatorSelection")
    params = document.get("pubKeyCredParams")
    if params is not None and not isinstance(params, list):
        raise ValueError("answer's pubKeyCredParams is not a list")
    cred_params = []
    for entry in params or []:
        item = _object(entry, "pubKeyCredParams entry") or {}
        kind = _text(item.get("type"), "pubKeyCredParams type")
        alg = _int(item.get("alg"), "pubKeyCredParams alg")
        if kind is None or alg is None:
            raise ValueError("answer's pubKeyCredParams entry is incomplete")
        cred_params.append(PasskeyPubKeyCredParam(type=kind, alg=alg))
    rp_info = None
    if rp is not None:
        rp_id, rp_name = _text(rp.get("id"), "rp.id"), _text(rp.get("name"), "rp.name")
        assert rp_id is not None
        assert rp_name is not None
        rp_info = PasskeyRpInfo(id=rp_id, name=rp_name)
    user_info = None
    if user is not None:
        user_id, name = _text(user.get("id"), "user.id"), _text(user.get("name"), "user.name")
        assert user_id is not None
        assert name is not None
        display = _text(user.get("displayName"), "user.displayName", optional=True)
        user_info = PasskeyUserInfo(id=user_id, name=name, display_name=display)
    selection_info = None
    if selection is not None:
        selection_info = PasskeyAuthenticatorSelection(
            resident_key=_text(selection.get("residentKey"), "residentKey", optional=True),
            user_verification=_text(
                selection.get("userVerification"), "userVerification", optional=True
            ),
        )
    return PasskeyPublicKeyOptions(
        challenge=challenge,
        rp=rp_info,
        rp_id=_text(document.get("rpId"), "rpId", optional=True),
        user=user_info,
        pub_key_cred_params=cred_params if params is not None else None,
        authenticator_selection=selection_info,
        timeout=_int(document.get("timeout"), "timeout"),
        user_verification=_text(
            document.get("userVerification"), "userVerification", optional=True
        ),
        raw=dict(document),
    )
