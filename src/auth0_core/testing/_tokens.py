"""Tokens an application under test accepts, minted by the emulated tenant's own keys.

A :class:`TokenMinter` signs with the tenant's current signing key (the one its JWKS
publishes), with the tenant's issuer and the tenant's clock, so whatever verifies tokens the
tenant issues at login (the SDK, an API checking access tokens against the JWKS) accepts these
too, and rejects them once they are broken on purpose (``claims=``, ``omit=``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .._http import HttpRequest
from ..errors import ConfigurationError
from ..tenant import Tenant, TenantUser
from ..tenant.authentication.mint import audience_claim, user_claims

DEFAULT_ID_TOKEN_SCOPE = "openid profile email"


class TokenMinter:
    """Mint access, ID and back-channel logout tokens as ``tenant`` would issue them.

    Args:
        tenant: whose issuer, keys and clock to use.
        client_id: the default ``azp`` / ``aud`` (default: the tenant's first client).

    Users are named by email (``"alice@example.com"``) or ``user_id`` (``"auth0|alice"``);
    None means the tenant's first configured user.
    """

    def __init__(self, tenant: Tenant, *, client_id: str | None = None) -> None:
        self.tenant = tenant
        clients = tenant.config.clients
        if client_id is None and not clients:
            raise ConfigurationError("the emulated tenant has no [[clients]] to mint tokens for")
        self.client_id = client_id if client_id is not None else clients[0].client_id

    # --- users --------------------------------------------------------------------------

    def user(self, who: str | None = None) -> TenantUser:
        """The configured user ``who`` names (email or ``user_id``; None: the first).

        Raises:
            ConfigurationError: no such user.
        """
        config = self.tenant.config
        if who is None:
            if not config.users:
                raise ConfigurationError("the emulated tenant has no [[users]]")
            return config.users[0]
        found = config.user_by_id(who) if "|" in who else config.user_by_email(who)
        if found is None:
            known = ", ".join(u.email for u in config.users) or "none"
            raise ConfigurationError(f"no user {who!r} in the emulated tenant (users: {known})")
        return found

    # --- tokens -------------------------------------------------------------------------

    def access_token(
        self,
        audience: str | None = None,
        *,
        user: str | None = None,
        scope: str | None = None,
        client_id: str | None = None,
        expires_in: int | None = None,
        claims: Mapping[str, Any] | None = None,
        omit: Iterable[str] = (),
    ) -> str:
        """A user's RS256 access token for ``audience``, as a login or refresh issues it.

        ``aud`` is the audience (a list with ``{base}/userinfo`` when ``scope`` has
        ``openid``); ``scope`` defaults to every scope the API defines (an audience that is no
        registered API: ``openid profile email``). ``audience`` may be a placeholder
        (``"my-account"``, ``"management"``). ``claims`` set or replace claims (``org_id``,
        a namespaced custom claim, an ``exp`` in the past); ``omit`` leaves claims out.
        """
        resolved = self.tenant.apis.resolve(audience) if audience else None
        api = self.tenant.apis.get(resolved)
        if scope is None:
            scope = " ".join(api.scopes) if api and api.scopes else DEFAULT_ID_TOKEN_SCOPE
        body: dict[str, Any] = {
            "sub": self.user(user).user_id,
            "aud": audience_claim(self.tenant.state, resolved, scope),
            "azp": client_id or self.client_id,
            "scope": scope,
        }
        lifetime = expires_in if expires_in is not None else self.tenant.apis.lifetime(resolved)
        return self._sign(body, lifetime, claims, omit)

    def machine_token(
        self,
        audience: str,
        *,
        client_id: str | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        claims: Mapping[str, Any] | None = None,
        omit: Iterable[str] = (),
    ) -> str:
        """A client-credentials access token (``sub`` = ``{client_id}@clients``, ``gty``);
        ``scope`` defaults to the client grant's scopes for ``audience``, else the API's."""
        resolved = self.tenant.apis.resolve(audience)
        client = client_id or self.client_id
        if scope is None:
            grant = self.tenant.apis.client_grant(client, resolved)
            api = self.tenant.apis.get(resolved)
            scope = " ".join(grant.scope if grant else api.scopes if api else ())
        body: dict[str, Any] = {
            "sub": f"{client}@clients",
            "aud": resolved,
            "azp": client,
            "scope": scope,
            "gty": "client-credentials",
        }
        lifetime = expires_in if expires_in is not None else self.tenant.apis.lifetime(resolved)
        return self._sign(body, lifetime, claims, omit)

    def id_token(
        self,
        user: str | None = None,
        *,
        client_id: str | None = None,
        nonce: str | None = None,
        sid: str | None = None,
        scope: str = DEFAULT_ID_TOKEN_SCOPE,
        expires_in: int | None = None,
        claims: Mapping[str, Any] | None = None,
        omit: Iterable[str] = (),
    ) -> str:
        """An RS256 ID token for ``user``, as a login issues it: ``iss``, ``sub``, ``aud`` (the
        client), ``iat``, ``exp``, ``auth_time``, the profile claims ``scope`` releases, and
        ``nonce`` and ``sid`` when given. ``claims`` set or replace claims (a namespaced
        ``https://app.example/roles``); ``omit`` leaves claims out."""
        profile = self.user(user)
        body = user_claims(profile, scope)
        body["aud"] = client_id or self.client_id
        body["auth_time"] = self.tenant.env.now()
        if nonce is not None:
            body["nonce"] = nonce
        if sid is not None:
            body["sid"] = sid
        lifetime = expires_in if expires_in is not None else self.tenant.config.id_token_lifetime
        return self._sign(body, lifetime, claims, omit, jti=False)

    def logout_token(
        self,
        user: str | None = None,
        *,
        sid: str | None = None,
        client_id: str | None = None,
        claims: Mapping[str, Any] | None = None,
        omit: Iterable[str] = (),
    ) -> str:
        """A back-channel logout token for the client, naming ``user`` (its ``sub``), the
        tenant session ``sid``, or both, as the tenant posts it when a session ends.

        ``tenant.sessions(user_id)`` lists a user's tenant sessions with their ``sid`` (the
        ``sid`` claim of the ID token the login gave the app).

        Raises:
            ConfigurationError: neither ``user`` nor ``sid``, or an unknown user.
        """
        if user is None and sid is None:
            raise ConfigurationError("a logout token names a user, a sid or both")
        sub = self.user(user).user_id if user is not None else None
        return self.tenant.mint_logout_token(
            client_id or self.client_id, sub=sub, sid=sid, omit=omit, **dict(claims or {})
        )

    def jwks(self) -> dict[str, Any]:
        """The tenant's public keys, as ``/.well-known/jwks.json`` serves them."""
        url = self.tenant.base_url + "/.well-known/jwks.json"
        response = self.tenant.handle(HttpRequest(method="GET", url=url))
        document: dict[str, Any] = json.loads(response.body)
        return document

    @staticmethod
    def claims(token: str) -> dict[str, Any]:
        """The claims of a JWT, unverified (to look at what a login or a mint produced)."""
        try:
            part = token.split(".")[1]
            payload = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except (IndexError, ValueError) as error:
            raise ConfigurationError(f"not a JWT: {type(error).__name__}") from None
        if not isinstance(payload, dict):
            raise ConfigurationError("not a JWT: its payload is not a JSON object")
        return payload

    def _sign(
        self,
        body: dict[str, Any],
        lifetime: int,
        claims: Mapping[str, Any] | None,
        omit: Iterable[str],
        *,
        jti: bool = True,
    ) -> str:
        now = self.tenant.env.now()
        full: dict[str, Any] = {
            "iss": self.tenant.issuer,
            **body,
            "iat": now,
            "exp": now + lifetime,
        }
        if jti:
            full["jti"] = self.tenant.env.random_urlsafe(16)
        full.update(claims or {})
        for name in omit:
            full.pop(name, None)
        return self.tenant.sign(full)
