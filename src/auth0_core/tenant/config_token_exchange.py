"""``[[token_exchange_profiles]]``: the Custom Token Exchange profiles of the emulated tenant
(protocol doc §8.5). Each stands for an Auth0 Token Exchange Profile and its Action: the
``subject_token_type`` it answers, and the opaque subject tokens it accepts, each naming the
user it logs in as (what an Action's ``setUserById`` would do)::

    [[token_exchange_profiles]]
    subject_token_type = "urn:acme:legacy-token"
    tokens = { "legacy-token-alice" = "auth0|alice" }
    session_transfer = true     # may mint Session Transfer Tokens (default false)
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ..errors import ConfigurationError
from .config_parse import Section

RESERVED_NAMESPACES = (
    "http://auth0.com",
    "https://auth0.com",
    "http://okta.com",
    "https://okta.com",
    "urn:ietf",
    "urn:auth0",
    "urn:okta",
)


@attrs.frozen(kw_only=True)
class TokenExchangeProfile:
    """One profile: its subject token type, accepted tokens (token -> user_id), and whether
    it may mint Session Transfer Tokens."""

    subject_token_type: str
    tokens: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    session_transfer: bool = False


def parse_token_exchange_profile(section: Section) -> TokenExchangeProfile:
    """Raises:
    ConfigurationError: a missing or reserved type, or a token not mapped to a user id.
    """
    kind = section.text("subject_token_type")
    if ":" not in kind or kind.lower().startswith(RESERVED_NAMESPACES):
        raise ConfigurationError(
            f"{section.where}.subject_token_type must be a URI outside Auth0's reserved namespaces"
        )
    tokens = section.json_table("tokens")
    if not all(isinstance(v, str) and v for v in tokens.values()):
        raise ConfigurationError(f"{section.where}.tokens must map each token to a user_id")
    return TokenExchangeProfile(
        subject_token_type=kind,
        tokens=dict(tokens),
        session_transfer=section.flag("session_transfer", False),
    )
