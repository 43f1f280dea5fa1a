"""Near misses for ``iss`` and ``aud``: a value that merely starts with, or contains, the
expected one is refused (mutants ``id-iss-prefix`` and ``id-aud-substring``)."""

from __future__ import annotations

import pytest

from auth0_core._id_token import validate_id_token
from auth0_core.errors import IdTokenError, IssuerValidationError

from .minting import CLIENT_ID, ISSUER, NOW, Keys, base_claims, checks, mint

CASES = [
    pytest.param({"iss": ISSUER + "x"}, IssuerValidationError, "iss", id="iss-suffixed"),
    pytest.param({"iss": ISSUER + "evil.example/"}, IssuerValidationError, "iss", id="iss-path"),
    pytest.param({"aud": CLIENT_ID + "x"}, IdTokenError, "aud", id="aud-suffixed"),
    pytest.param({"aud": "x" + CLIENT_ID}, IdTokenError, "aud", id="aud-prefixed"),
    pytest.param({"aud": ["x" + CLIENT_ID]}, IdTokenError, "aud", id="aud-list-prefixed"),
    pytest.param({"aud": [CLIENT_ID + "x"]}, IdTokenError, "aud", id="aud-list-suffixed"),
]


@pytest.mark.parametrize(("changes", "error", "claim"), CASES)
def test_near_miss_is_refused(
    keys: Keys, changes: dict[str, object], error: type[IdTokenError], claim: str
) -> None:
    token = mint(keys.rsa, base_claims(**changes))
    with pytest.raises(error) as info:
        validate_id_token(token, keys=keys.jwks, checks=checks(), now=NOW)
    assert type(info.value) is error
    assert info.value.claim == claim


def test_the_exact_values_are_accepted(keys: Keys) -> None:
    token = mint(keys.rsa, base_claims(aud=[CLIENT_ID]))
    claims = validate_id_token(token, keys=keys.jwks, checks=checks(), now=NOW)
    assert claims.claims["iss"] == ISSUER
