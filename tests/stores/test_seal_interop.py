"""Interop with the official auth0-server-python 1.0.0b20 (jwcrypto-based) in both directions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from auth0_server_python import encryption as official  # type: ignore[import-untyped]

from auth0_core._seal import seal, unseal, unseal_plaintext

SESSION: dict[str, Any] = {
    "user": {"sub": "auth0|123", "name": "Zoë", "iss": "https://t.eu.auth0.com/", "sid": "S1"},
    "id_token": "eyJ.header.sig",
    "refresh_token": "v1.MRrT",
    "token_sets": [
        {"audience": "default", "access_token": "at", "scope": "openid", "expires_at": 1767225600}
    ],
    "connection_token_sets": [],
    "domain": "t.eu.auth0.com",
    "internal": {"sid": "S1", "created_at": 1767139200, "session_expires_at": None},
}
TRANSACTION: dict[str, Any] = {
    "code_verifier": "v" * 64,
    "app_state": {"returnTo": "/dashboard"},
    "redirect_uri": "https://app.example.com/callback",
    "state": "abc",
}
CASES = [(SESSION, "_a0_session"), (TRANSACTION, "_a0_tx:abc"), ({"mfa": "ctx"}, "mfa_token")]


@pytest.mark.parametrize(("payload", "identifier"), CASES)
def test_ours_decrypts_with_the_official_sdk(payload: dict[str, Any], identifier: str) -> None:
    token = seal(payload, "app-secret", identifier)
    assert official.decrypt(token, "app-secret", identifier) == payload


@pytest.mark.parametrize(("payload", "identifier"), CASES)
def test_official_decrypts_with_ours(payload: dict[str, Any], identifier: str) -> None:
    token = official.encrypt(payload, "app-secret", identifier)
    assert unseal(token, ["app-secret"], identifier) == payload


def test_official_value_opens_with_a_rotated_secret_list() -> None:
    token = official.encrypt(SESSION, "old-secret", "_a0_session")
    assert unseal(token, ["new-secret", "old-secret"], "_a0_session") == SESSION


def test_large_session_both_ways() -> None:
    big = dict(SESSION, blob="x" * 20_000)
    assert official.decrypt(seal(big, "s", "_a0_session"), "s", "_a0_session") == big
    assert unseal(official.encrypt(big, "s", "_a0_session"), ["s"], "_a0_session") == big


def test_our_compact_plaintext_is_read_by_the_official_decrypt_and_store() -> None:
    """Ours seals compact JSON (no space after ``,`` and ``:``), theirs the defaults: the
    official ``decrypt`` and its store's ``decrypt`` (``json.loads``) read ours as they read
    their own, strings holding ``", "`` and non-ASCII included."""
    from auth0_server_python.store.abstract import StateStore  # type: ignore[import-untyped]

    class OfficialStore(StateStore):  # type: ignore[misc]
        async def set(self, *args: Any, **kwargs: Any) -> None: ...
        async def get(self, *args: Any, **kwargs: Any) -> None: ...
        async def delete(self, *args: Any, **kwargs: Any) -> None: ...

    payload = dict(SESSION, user={**SESSION["user"], "note": "a, b: c", "名": "値"})
    token = seal(payload, "app-secret", "_a0_session")
    plaintext = unseal_plaintext(token, ["app-secret"], "_a0_session")
    assert plaintext == json.dumps(payload, separators=(",", ":")).encode()
    assert len(plaintext) < len(json.dumps(payload))
    assert official.decrypt(token, "app-secret", "_a0_session") == payload
    store = OfficialStore({"secret": "app-secret"})
    assert store.decrypt("_a0_session", token) == payload
    # and theirs (default separators) still reads here
    assert unseal(store.encrypt("_a0_session", payload), ["app-secret"], "_a0_session") == payload
