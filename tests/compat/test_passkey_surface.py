"""The passkey calls against the installed official SDK beyond what test_surface.py checks
(names, positional parameters, defaults, coroutine or not): every field of the official
passkey types is an attribute of ours, and the official documentation harness
(scripts/doc_snippets) has a run for every ``examples/Passkeys.md`` block (its run against
the page is reported in docs/compatibility.md: it needs the official repository's docs)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import attrs
import pytest

import auth0_anyio.auth_types
import auth0_requests.auth_types

official_types = pytest.importorskip("auth0_server_python.auth_types")

TYPES = [
    "PasskeyRpInfo",
    "PasskeyUserInfo",
    "PasskeyPubKeyCredParam",
    "PasskeyAuthenticatorSelection",
    "PasskeyPublicKeyOptions",
    "PasskeySignupChallengeResponse",
    "PasskeyLoginChallengeResponse",
    "PasskeyLoginResult",
    "PasskeyTokenResponse",
]


@pytest.mark.parametrize("name", TYPES)
def test_every_official_field_is_ours(name: str) -> None:
    theirs = set(getattr(official_types, name).model_fields)
    for module in (auth0_requests.auth_types, auth0_anyio.auth_types):
        ours = {field.name for field in attrs.fields(getattr(module, name))}
        assert sorted(theirs - ours) == [], name


def test_the_user_profile_takes_the_official_fields_and_extra_ones() -> None:
    profile_type = auth0_requests.auth_types.PasskeyUserProfile
    fields = set(official_types.PasskeyUserProfile.model_fields)
    profile = profile_type(**{field: "x" for field in fields}, favourite="tea")
    assert profile.to_dict() == {**{field: "x" for field in fields}, "favourite": "tea"}
    assert all(getattr(profile_type(), field) is None for field in fields)
    assert "x" not in repr(profile)


def test_the_docs_harness_runs_every_passkeys_block() -> None:
    scripts = Path(__file__).parents[2] / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        specs = importlib.import_module("doc_snippets.specs")
    finally:
        sys.path.remove(str(scripts))
    keys = [key for key in specs.SPECS if key.startswith("Passkeys.md#")]
    assert len(keys) == 8
    for key in keys:
        spec = specs.SPECS[key]
        assert spec.not_run is None, key
        assert spec.feature == "", key
        assert spec.setup is not None, key
        assert spec.check is not None, key
        assert spec.purpose, key
