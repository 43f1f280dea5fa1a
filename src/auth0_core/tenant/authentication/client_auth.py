"""Client authentication at the token and PAR endpoints (RFC 6749 §2.3, RFC 7523 §3).

Four ways in, as on Auth0: ``client_secret_basic`` (HTTP Basic), ``client_secret_post`` (secret
in the body), ``private_key_jwt`` (a signed client assertion) and ``tls_client_auth`` (RFC 8705:
``client_id`` in the body and a client certificate with the subject DN the client is
registered with). The certificate is verified by whoever terminates TLS; the server adapter
passes the verified certificate's subject and thumbprint in :data:`TLS_CLIENT_SUBJECT_HEADER`
and :data:`TLS_CLIENT_THUMBPRINT_HEADER`, which it removes from every request it receives.
Failures answer ``401 {"error": "invalid_client"}``; a request that mixes methods answers
``400 invalid_request``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import unquote_plus

from joserfc import jwt
from joserfc.errors import JoseError

from ..._http import HttpResponse
from ..client_keys import ASSERTION_ALGORITHMS, RegisteredKey, registered_keys
from ..config import TenantClient, TenantConfig
from ..params import Incoming, Params, load_json
from ..records import AcceptedAssertion
from ..responses import RequestRejected, oauth_error
from ..state import TenantState

# Set only by the server adapter (auth0_tenant_server), from the verified TLS client certificate;
# it strips any value a client sends. Whoever else fronts the tenant must do the same.
TLS_CLIENT_SUBJECT_HEADER = "x-auth0-tenant-tls-client-subject"
TLS_CLIENT_THUMBPRINT_HEADER = "x-auth0-tenant-tls-client-x5t-s256"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Auth0 refuses assertions that live longer than five minutes.
_MAX_ASSERTION_LIFETIME = 300
_LEEWAY = 5


def _invalid_client(description: str, *, basic: bool = False) -> RequestRejected:
    response = oauth_error(401, "invalid_client", description)
    if basic:
        # RFC 6749 §5.2: a failed Basic authentication answers with the scheme it expects.
        response = HttpResponse(
            status=401,
            headers=(*response.headers, ("WWW-Authenticate", 'Basic realm="oauth"')),
            body=response.body,
        )
    return RequestRejected(response)


def authenticate_client(state: TenantState, incoming: Incoming, params: Params) -> TenantClient:
    """The client that authenticated this request.

    Raises:
        RequestRejected: 401 ``invalid_client`` or 400 ``invalid_request``.
    """
    config = state.config
    authorization = incoming.request.header("authorization") or ""
    basic = authorization[:6].lower() == "basic "
    assertion = params.get("client_assertion")
    secret_in_body = params.get("client_secret")
    if sum((basic, assertion is not None, secret_in_body is not None)) > 1:
        raise RequestRejected(
            oauth_error(400, "invalid_request", "Use only one client authentication method.")
        )
    if assertion is not None:
        now = state.env.now()
        client = _assertion_client(state, params, assertion, now)
    elif basic:
        client = _basic_client(config, authorization[6:].strip())
    else:
        client = _post_client(config, params, secret_in_body, incoming)
    body_client_id = params.get("client_id")
    if body_client_id is not None and body_client_id != client.client_id:
        raise _invalid_client("The client_id does not match the authenticated client.")
    return client


def _secret_matches(client: TenantClient, secret: str) -> bool:
    expected = client.client_secret
    return expected is not None and hmac.compare_digest(expected.encode(), secret.encode())


def _check_secret(client: TenantClient | None, secret: str, *, basic: bool) -> TenantClient:
    if client is None:
        raise _invalid_client("Unknown client.", basic=basic)
    if client.token_endpoint_auth_method in ("private_key_jwt", "tls_client_auth", "none"):
        raise _invalid_client(
            f"This client authenticates with {client.token_endpoint_auth_method}.", basic=basic
        )
    if not _secret_matches(client, secret):
        raise _invalid_client("Wrong client credentials.", basic=basic)
    return client


def _basic_client(config: TenantConfig, credentials: str) -> TenantClient:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise _invalid_client("Malformed Basic credentials.", basic=True) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise _invalid_client("Malformed Basic credentials.", basic=True)
    # RFC 6749 §2.3.1 says form-urlencode before base64; many clients (httpx) do not.
    # Accept both spellings: try the raw pair, then the decoded pair.
    decoded_pair = (unquote_plus(client_id), unquote_plus(secret))
    if decoded_pair != (client_id, secret):
        client = config.client(decoded_pair[0])
        if client is not None and _secret_matches(client, decoded_pair[1]):
            return _check_secret(client, decoded_pair[1], basic=True)
    return _check_secret(config.client(client_id), secret, basic=True)


def _post_client(
    config: TenantConfig, params: Params, secret: str | None, incoming: Incoming
) -> TenantClient:
    client_id = params.get("client_id")
    if client_id is None:
        raise _invalid_client("Client authentication is required.")
    client = config.client(client_id)
    if secret is not None:
        return _check_secret(client, secret, basic=False)
    if client is not None and client.token_endpoint_auth_method == "tls_client_auth":
        return _tls_client(client, incoming)
    if client is None or client.token_endpoint_auth_method != "none":
        raise _invalid_client("Client authentication is required.")
    return client


def _tls_client(client: TenantClient, incoming: Incoming) -> TenantClient:
    """RFC 8705 §2.1: the verified certificate's subject must be the registered one."""
    subject = incoming.request.header(TLS_CLIENT_SUBJECT_HEADER)
    if subject is None:
        raise _invalid_client("This client authenticates with a TLS client certificate.")
    expected = client.tls_client_auth_subject_dn or ""
    if not hmac.compare_digest(subject.encode(), expected.encode()):
        raise _invalid_client("The client certificate's subject is not the registered one.")
    return client


def _unverified_part(assertion: str, index: int) -> dict[str, Any]:
    """The JSON of the header (0) or payload (1) of a compact JWS, before any check."""
    try:
        part = assertion.split(".")[index]
        value = load_json(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise _invalid_client("The client assertion is not a JWT.") from None
    if not isinstance(value, dict) or assertion.count(".") != 2:
        raise _invalid_client("The client assertion is not a JWT.")
    return value


def _candidate_keys(
    client: TenantClient, header: dict[str, Any]
) -> tuple[str, list[RegisteredKey]]:
    """The header's ``alg`` and the registered keys that may verify it: the one its ``kid``
    names (all of them without a ``kid``), of a type that fits ``alg``."""
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in ASSERTION_ALGORITHMS:
        raise _invalid_client(
            f"The client assertion alg must be one of {', '.join(ASSERTION_ALGORITHMS)}."
        )
    keys = list(registered_keys(client))
    kid = header.get("kid")
    if kid is not None:
        keys = [key for key in keys if key.kid == kid]
        if not keys:
            raise _invalid_client("No credential of this client has the client assertion's kid.")
    keys = [key for key in keys if key.fits(alg)]
    if not keys:
        raise _invalid_client(f"The client's credential does not sign {alg} client assertions.")
    return alg, keys


def _assertion_client(state: TenantState, params: Params, assertion: str, now: int) -> TenantClient:
    if params.get("client_assertion_type") != ASSERTION_TYPE:
        raise _invalid_client("Invalid client_assertion_type.")
    header = _unverified_part(assertion, 0)
    claimed = _unverified_part(assertion, 1)
    client_id = claimed.get("iss")
    client = state.config.client(client_id) if isinstance(client_id, str) else None
    if client is None:
        raise _invalid_client("Unknown client in the client assertion.")
    if client.client_assertion_public_key is None and not client.client_assertion_credentials:
        raise _invalid_client("This client does not authenticate with private_key_jwt.")
    alg, keys = _candidate_keys(client, header)
    for registered in keys:
        try:
            decoded = jwt.decode(assertion, registered.key, algorithms=[alg])
        except (JoseError, ValueError, TypeError, KeyError):
            continue
        claims = dict(decoded.claims)
        break
    else:
        raise _invalid_client("Invalid signature on the client assertion.")
    _check_assertion_claims(claims, client.client_id, state.issuer, now)
    _spend_jti(state.used_jtis, client.client_id, claims, now)
    kid = header.get("kid")
    state.accepted_assertions.append(
        AcceptedAssertion(
            client_id=client.client_id,
            alg=alg,
            kid=kid if isinstance(kid, str) else None,
            key_kid=registered.kid,
        )
    )
    return client


def _spend_jti(
    used_jtis: MutableMapping[tuple[str, str], int],
    client_id: str,
    claims: dict[str, Any],
    now: int,
) -> None:
    """Single use (RFC 7523 §3): remember each jti until the assertion would expire anyway."""
    jti = claims["jti"]
    for seen, expires in list(used_jtis.items()):
        if expires < now:
            del used_jtis[seen]
    if (client_id, jti) in used_jtis:
        raise _invalid_client("The client assertion (jti) was already used.")
    used_jtis[(client_id, jti)] = int(claims["exp"])


def _check_assertion_claims(claims: dict[str, Any], client_id: str, issuer: str, now: int) -> None:
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise _invalid_client("The client assertion iss and sub must be the client_id.")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if issuer not in audiences:
        raise _invalid_client(f"The client assertion aud must be {issuer}.")
    exp = claims.get("exp")
    if not isinstance(exp, int) or isinstance(exp, bool):
        raise _invalid_client("The client assertion must carry exp.")
    if exp + _LEEWAY <= now:
        raise _invalid_client("The client assertion has expired.")
    if exp > now + _MAX_ASSERTION_LIFETIME + _LEEWAY:
        raise _invalid_client("The client assertion lives longer than five minutes.")
    for claim in ("iat", "nbf"):
        value = claims.get(claim)
        if isinstance(value, int | float) and value > now + _LEEWAY:
            raise _invalid_client(f"The client assertion {claim} is in the future.")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise _invalid_client("The client assertion must carry jti.")


__all__ = ["ASSERTION_TYPE", "authenticate_client"]
