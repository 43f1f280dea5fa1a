"""Native passkeys (protocol doc §8.11): ``POST /passkey/register`` (a sign-up challenge),
``POST /passkey/challenge`` (a login challenge) and the WebAuthn grant
``urn:okta:params:oauth:grant-type:webauthn`` at ``/oauth/token``.

Each challenge endpoint (JSON, the client's credentials in the body) opens a ceremony under a
fresh ``auth_session``: a random 32-byte challenge that lives ``[passkeys].timeout`` seconds.
The grant uses the ceremony up (one attempt, right or wrong) and verifies the browser's
credential with py_webauthn (``webauthn``, which does no IO):

- sign-up: the attestation (formats ``none``, ``packed`` (self or x5c), and the others
  py_webauthn knows), the client data (type ``webauthn.create``, the challenge, an allowed
  origin), the RP ID hash, the user-present and user-verified flags, an attested
  credential with a supported COSE key; the credential id must be new. The user is created
  then (``auth0|...`` in the realm), with the profile given at the challenge.
- login: the credential must be registered (for this RP ID, its ``userHandle`` if sent
  must be its user's), the client data (``webauthn.get``, challenge, origin), RP ID hash,
  flags, a signature counter above the stored one (when either is non-zero), and the
  signature over ``authenticatorData || SHA-256(clientDataJSON)`` with the stored key.

Every refusal of the credential is 403 ``invalid_grant``; tokens are minted as for any login
(MFA first when the user or API is under ``[mfa]``). The registration checks
(:func:`checked_origin`, :func:`verify_registration`, :func:`register_credential`) are shared
with the My Account API's passkey enrollment (``my_account/authentication_methods.py``).

Sign-up codes (``[passkeys] verify_email`` / ``verify_phone``): the sign-up's answer names
``verification_required`` and the code goes to the outbox; the grant's ``verification`` must
carry it. A wrong or missing code is 403 ``invalid_grant`` with the same ``auth_session`` and
what is still due, the ceremony kept (the only refusal that keeps it) until the
``max_code_attempts``-th try.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from typing import Any

import attrs

from ..._http import HttpResponse
from ..config_types import TenantClient, TenantUser
from ..outbox import Email, TextMessage
from ..params import Incoming, Params, load_json
from ..records import Grant
from ..responses import RequestRejected, json_ok, oauth_error
from ..state import TenantState
from .authorize import start_session
from .client_auth import authenticate_client
from .mfa import mfa_required
from .mint import token_response
from .passkey_state import Ceremony, PasskeyCredential
from .refresh import issue_refresh_token, wants_refresh_token

WEBAUTHN_GRANT = "urn:okta:params:oauth:grant-type:webauthn"
DEFAULT_SCOPE = "openid profile email"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_PROFILE_TEXT = ("email", "username", "phone_number", "name", "given_name", "family_name",
                 "nickname", "picture")  # fmt: skip
# COSE algorithms offered at sign-up: ES256, EdDSA, RS256.
ALGORITHMS = (-7, -8, -257)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: object) -> bytes | None:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _json_body(incoming: Incoming) -> dict[str, Any]:
    try:
        document = load_json(incoming.request.body or b"{}")
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise RequestRejected(
            oauth_error(400, "invalid_request", "The request body must be a JSON object.")
        )
    return document


def _client(state: TenantState, incoming: Incoming, document: dict[str, Any]) -> TenantClient:
    scalars = Params({k: [v] for k, v in document.items() if isinstance(v, str)})
    return authenticate_client(state, incoming, scalars)


def _realm(state: TenantState, document: dict[str, Any]) -> str | HttpResponse:
    realm = document.get("realm", state.passkeys.settings.connection)
    if not isinstance(realm, str) or state.config.strategy(realm) != "auth0":
        return oauth_error(400, "invalid_request", "The connection is not a database connection.")
    return realm


def _organization(state: TenantState, document: dict[str, Any]) -> str | HttpResponse | None:
    given = document.get("organization")
    if given is None:
        return None
    org = state.config.organization(given) if isinstance(given, str) else None
    if org is None:
        return oauth_error(400, "invalid_request", "The organization does not exist.")
    return org.id


def _open(state: TenantState, ceremony: Ceremony) -> str:
    auth_session = state.env.random_urlsafe(32)
    state.passkeys.ceremonies[auth_session] = ceremony
    return auth_session


def register(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /passkey/register``: a sign-up challenge for a user not yet known."""
    document = _json_body(incoming)
    client = _client(state, incoming, document)
    realm = _realm(state, document)
    if isinstance(realm, HttpResponse):
        return realm
    organization = _organization(state, document)
    if isinstance(organization, HttpResponse):
        return organization
    if organization is not None:
        return oauth_error(
            400, "invalid_request", "Signing up into an organization is not emulated."
        )
    profile = document.get("user_profile") or {}
    metadata = document.get("user_metadata")
    if not isinstance(profile, dict) or (metadata is not None and not isinstance(metadata, dict)):
        return oauth_error(400, "invalid_request", "user_profile must be an object.")
    for name in _PROFILE_TEXT:
        if name in profile and not isinstance(profile[name], str):
            return oauth_error(400, "invalid_request", f"user_profile.{name} must be a string.")
    email, username, phone = (profile.get(k) for k in ("email", "username", "phone_number"))
    if not (email or username or phone):
        return oauth_error(
            400, "invalid_request", "user_profile needs an email, a username or a phone_number."
        )
    if email and not _EMAIL.match(email):
        return oauth_error(400, "invalid_request", "user_profile.email is not an e-mail address.")
    if phone and not _E164.match(phone):
        return oauth_error(400, "invalid_request", "user_profile.phone_number is not E.164.")
    if email and _email_taken(state, realm, email):
        # The code Auth0 answers here is UNCONFIRMED.
        return oauth_error(400, "invalid_signup", "The user already exists.")
    rp_id = state.passkeys.rp_id(state.base_url)
    user_id = "auth0|" + state.env.token_bytes(12).hex()
    handle = user_id.encode()
    challenge = state.env.token_bytes(32)
    settings = state.passkeys.settings
    label = email or username or phone
    codes: dict[str, str] = {}
    if email and settings.verify_email:
        codes["email"] = _code(state)
        body = f"Your verification code is {codes['email']}"
        state.outbox.send(Email(to=email, subject="Verify your e-mail address", body=body))
    if phone and settings.verify_phone:
        codes["phone"] = _code(state)
        state.outbox.send(TextMessage(to=phone, body=f"Your verification code is {codes['phone']}"))
    auth_session = _open(
        state,
        Ceremony(
            kind="signup",
            client_id=client.client_id,
            challenge=challenge,
            rp_id=rp_id,
            realm=realm,
            organization=None,
            expires_at=state.env.now() + settings.timeout,
            user_id=user_id,
            user_handle=handle,
            profile=dict(profile),
            user_metadata=dict(metadata) if metadata else None,
            codes=codes,
        ),
    )
    options = {
        "challenge": _b64url(challenge),
        "rp": {"id": rp_id, "name": settings.rp_name},
        "user": {"id": _b64url(handle), "name": label, "displayName": profile.get("name") or label},
        "pubKeyCredParams": [{"type": "public-key", "alg": alg} for alg in ALGORITHMS],
        "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
        "timeout": settings.timeout * 1000,
    }
    answer: dict[str, Any] = {"auth_session": auth_session, "authn_params_public_key": options}
    if codes:
        answer["verification_required"] = sorted(codes)
    return json_ok(200, answer)


def _code(state: TenantState) -> str:
    return str(int.from_bytes(state.env.token_bytes(4), "big") % 1_000_000).zfill(6)


def _email_taken(state: TenantState, realm: str, email: str) -> bool:
    if state.users.login_of(realm, email) is not None:
        return True
    wanted = email.lower()
    return any(
        (profile := state.users.profile(c.user_id)) is not None and profile.email.lower() == wanted
        for c in state.passkeys.credentials.values()
    )


def challenge(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /passkey/challenge``: a login challenge (the user is the credential's)."""
    document = _json_body(incoming)
    client = _client(state, incoming, document)
    if "username" in document:
        return oauth_error(
            400, "invalid_request", "username is not accepted: the credential names the user."
        )
    realm = _realm(state, document)
    if isinstance(realm, HttpResponse):
        return realm
    organization = _organization(state, document)
    if isinstance(organization, HttpResponse):
        return organization
    rp_id = state.passkeys.rp_id(state.base_url)
    challenge = state.env.token_bytes(32)
    settings = state.passkeys.settings
    auth_session = _open(
        state,
        Ceremony(
            kind="login",
            client_id=client.client_id,
            challenge=challenge,
            rp_id=rp_id,
            realm=realm,
            organization=organization,
            expires_at=state.env.now() + settings.timeout,
        ),
    )
    options = {
        "challenge": _b64url(challenge),
        "rpId": rp_id,
        "timeout": settings.timeout * 1000,
        "userVerification": "required",
    }
    return json_ok(200, {"auth_session": auth_session, "authn_params_public_key": options})


def _check_codes(state: TenantState, ceremony: Ceremony, raw: str | None) -> list[str]:
    """The identifiers whose code ``raw`` (the grant's ``verification`` JSON) does not carry
    rightly; a wrong or missing one counts as an attempt."""
    try:
        given = load_json(raw) if raw is not None else {}
    except ValueError:
        given = {}
    given = given if isinstance(given, dict) else {}
    unverified = [
        name
        for name, code in sorted(ceremony.codes.items())
        if not isinstance(given.get(name), str)
        or not hmac.compare_digest(given[name].encode(), code.encode())
    ]
    if unverified:
        ceremony.code_attempts += 1
    return unverified


def _refused(description: str) -> HttpResponse:
    return oauth_error(403, "invalid_grant", description)


class CredentialRefused(Exception):
    """A WebAuthn credential the tenant does not accept; the message says why, in the
    verifier's words (never key material). The passkey grant answers it as 403
    ``invalid_grant``, the My Account API's verify as a problem document."""


VERIFIER_MISSING = "Verifying passkeys needs 'webauthn' (auth0-core[tenant])."


def verifier_available() -> bool:
    """Whether py_webauthn (the tenant extra) can be imported; it is imported lazily."""
    try:
        import webauthn  # noqa: F401 - the verifier; in the tenant extra
    except ImportError:  # pragma: no cover - the tenant extra brings it
        return False
    return True


@attrs.frozen(kw_only=True)
class Registration:
    """A registration credential that passed :func:`verify_registration`."""

    credential_id: bytes
    public_key: bytes = attrs.field(repr=False)
    sign_count: int
    rp_id: str
    attestation_format: str
    aaguid: str
    device_type: str  # "single_device" or "multi_device"
    backed_up: bool


def checked_origin(state: TenantState, credential: dict[str, Any], rp_id: str) -> str:
    """The origin the credential's ``clientDataJSON`` names, when the tenant accepts it.

    Raises:
        CredentialRefused: malformed client data, or an origin not allowed for ``rp_id``.
    """
    origin = _origin(credential)
    if origin is None:
        raise CredentialRefused("The credential's clientDataJSON is malformed.")
    if not state.passkeys.origin_allowed(origin, rp_id, state.base_url):
        raise CredentialRefused("The credential comes from an origin this tenant does not accept.")
    return origin


def verify_registration(
    state: TenantState, credential: dict[str, Any], *, challenge: bytes, rp_id: str, origin: str
) -> Registration:
    """Verify a registration (``navigator.credentials.create()``) credential with py_webauthn:
    the attestation, the client data (``webauthn.create``, ``challenge``, ``origin``, checked
    first with :func:`checked_origin`), the RP ID hash, user presence and verification, an
    attested key; and the credential id must be new to the tenant. Used by the passkey
    sign-up grant and by the My Account API's passkey enrollment alike.

    Raises:
        CredentialRefused: any of these fails.
    """
    from webauthn import verify_registration_response

    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_presence=True,
            require_user_verification=True,
        )
    except Exception as failed:  # the library's refusals, and malformed input it met
        raise CredentialRefused(
            f"The passkey registration is not valid: {_reason(failed)}"
        ) from None
    if verified.credential_id in state.passkeys.credentials:
        raise CredentialRefused("This credential is already registered.")
    fmt = verified.fmt
    device = verified.credential_device_type
    return Registration(
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        rp_id=rp_id,
        attestation_format=str(getattr(fmt, "value", fmt)),
        aaguid=str(verified.aaguid),
        device_type=str(getattr(device, "value", device)),
        backed_up=bool(verified.credential_backed_up),
    )


def register_credential(
    state: TenantState, registration: Registration, *, user_id: str, user_handle: bytes
) -> PasskeyCredential:
    """Keep a verified credential as ``user_id``'s, so ``/passkey/challenge`` and the WebAuthn
    grant log the user in with it."""
    stored = PasskeyCredential(
        credential_id=registration.credential_id,
        user_id=user_id,
        public_key=registration.public_key,
        sign_count=registration.sign_count,
        rp_id=registration.rp_id,
        user_handle=user_handle,
        attestation_format=registration.attestation_format,
        created_at=state.env.now(),
    )
    state.passkeys.credentials[registration.credential_id] = stored
    return stored


def _origin(credential: dict[str, Any]) -> str | None:
    response = credential.get("response")
    if not isinstance(response, dict):
        return None
    raw = _unb64url(response.get("clientDataJSON"))
    try:
        client_data = load_json(raw) if raw is not None else None
    except ValueError:
        return None
    origin = client_data.get("origin") if isinstance(client_data, dict) else None
    return origin if isinstance(origin, str) else None


def webauthn_grant(state: TenantState, client: TenantClient, params: Params) -> HttpResponse:
    """``grant_type=urn:okta:params:oauth:grant-type:webauthn``: ``auth_session``,
    ``authn_response`` (the browser's credential, JSON), optional ``realm``,
    ``organization``, ``scope``, ``audience``."""
    auth_session = params.get("auth_session")
    raw_credential = params.get("authn_response")
    if not auth_session or raw_credential is None:
        return oauth_error(
            400, "invalid_request", "Missing required parameter: auth_session or authn_response"
        )
    ceremony = state.passkeys.ceremonies.pop(auth_session, None)  # one attempt, right or wrong
    if ceremony is None or ceremony.client_id != client.client_id:
        return _refused("The auth_session is unknown, used or expired.")
    if ceremony.expires_at <= state.env.now():
        return _refused("The auth_session has expired.")
    if ceremony.codes:
        unverified = _check_codes(state, ceremony, params.get("verification"))
        if unverified:
            if ceremony.code_attempts >= state.passkeys.settings.max_code_attempts:
                return _refused("Too many wrong verification codes. Please sign up again.")
            state.passkeys.ceremonies[auth_session] = ceremony  # kept for another code
            response = oauth_error(403, "invalid_grant", "Wrong or missing verification code.")
            document = {**json.loads(response.body), "auth_session": auth_session,
                        "verification_required": unverified}  # fmt: skip
            return json_ok(403, document)
    realm, organization = params.get("realm"), params.get("organization")
    if realm is not None and realm != ceremony.realm:
        return _refused("The realm is not the challenge's.")
    org_id = ceremony.organization
    if organization is not None:
        org = state.config.organization(organization)
        if org is None or (org_id is not None and org.id != org_id):
            return _refused("The organization is not the challenge's.")
        org_id = org.id
    try:
        credential = load_json(raw_credential)
    except ValueError:
        credential = None
    if not isinstance(credential, dict):
        return oauth_error(400, "invalid_request", "authn_response must be a JSON object.")
    try:
        origin = checked_origin(state, credential, ceremony.rp_id)
    except CredentialRefused as refused:
        return _refused(str(refused))
    if not verifier_available():  # pragma: no cover - the tenant extra brings it
        return oauth_error(500, "server_error", VERIFIER_MISSING)
    if ceremony.kind == "signup":
        user_id = _sign_up(state, ceremony, credential, origin)
    else:
        user_id = _log_in(state, ceremony, credential, origin)
    if isinstance(user_id, HttpResponse):
        return user_id
    if org_id is not None:
        org = state.config.organization(org_id)
        if org is None or user_id not in org.members:
            return oauth_error(
                403, "access_denied", "The user is not a member of the organization."
            )
    sid = start_session(state, user_id)
    state.sessions.add_client(sid, client.client_id)
    grant = Grant(
        client_id=client.client_id,
        user_id=user_id,
        scope=params.get("scope") or DEFAULT_SCOPE,
        audience=params.get("audience"),
        organization_id=org_id,
        auth_time=state.env.now(),
        sid=sid,
    )
    refresh_token = issue_refresh_token(state, grant) if wants_refresh_token(grant.scope) else None
    if state.mfa.required(user_id, grant.audience, sid):
        return mfa_required(state, client.client_id, grant, refresh_token=refresh_token)
    return token_response(state, grant, refresh_token=refresh_token)


def _sign_up(
    state: TenantState, ceremony: Ceremony, credential: dict[str, Any], origin: str
) -> str | HttpResponse:
    try:
        verified = verify_registration(
            state, credential, challenge=ceremony.challenge, rp_id=ceremony.rp_id, origin=origin
        )
    except CredentialRefused as refused:
        return _refused(str(refused))
    assert ceremony.user_id is not None
    assert ceremony.user_handle is not None
    profile = ceremony.profile or {}
    label = profile.get("email") or profile.get("username") or profile.get("phone_number") or ""
    user = TenantUser(
        email=profile.get("email") or "",
        password="",  # a passkey user has no password: the login page never matches one
        user_id=ceremony.user_id,
        name=profile.get("name") or label,
        nickname=profile.get("nickname") or label.split("@", 1)[0],
        email_verified=False,
        picture=profile.get("picture"),
        connection=ceremony.realm,
        user_metadata=ceremony.user_metadata or {},
    )
    state.users.ensure(user)
    stored = register_credential(
        state, verified, user_id=user.user_id, user_handle=ceremony.user_handle
    )
    stored.last_used_at = stored.created_at
    return user.user_id


def _log_in(
    state: TenantState, ceremony: Ceremony, credential: dict[str, Any], origin: str
) -> str | HttpResponse:
    from webauthn import verify_authentication_response

    raw_id = _unb64url(credential.get("rawId"))
    stored = state.passkeys.credentials.get(raw_id) if raw_id is not None else None
    if stored is None or stored.rp_id != ceremony.rp_id:
        return _refused("The credential is not registered.")
    response = credential.get("response")
    handle = response.get("userHandle") if isinstance(response, dict) else None
    if handle and _unb64url(handle) != stored.user_handle:
        return _refused("The credential's userHandle is not its user's.")
    if state.users.get(stored.user_id) is None:
        return _refused("The credential's user no longer exists.")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=ceremony.challenge,
            expected_rp_id=ceremony.rp_id,
            expected_origin=origin,
            credential_public_key=stored.public_key,
            credential_current_sign_count=stored.sign_count,
            require_user_verification=True,
        )
    except Exception as failed:  # the library's refusals, and malformed input it met
        return _refused(f"The passkey assertion is not valid: {_reason(failed)}")
    stored.sign_count = verified.new_sign_count
    stored.last_used_at = state.env.now()
    return stored.user_id


def _reason(failed: Exception) -> str:
    """The library's words (no key material in them), on one bounded line."""
    text = " ".join(str(failed).split())[:200]
    return text or type(failed).__name__
