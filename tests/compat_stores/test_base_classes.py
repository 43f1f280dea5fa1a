"""``auth0_core.stores.StateStore`` / ``TransactionStore``: the official base classes' shape, and
``encrypt``/``decrypt`` byte-compatible with auth0-server-python 1.0.0b20 in both directions."""

from __future__ import annotations

import base64
import inspect
import json
from typing import Any

import pytest
from auth0_server_python.store import abstract as official  # type: ignore[import-untyped]
from joserfc._rfc7518.jwe_encs import CBCHS2EncModel
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey

from auth0_core import _seal
from auth0_core.errors import ConfigurationError, UnsealError
from auth0_core.stores import AbstractDataStore, StateStore, TransactionStore

SECRET = "a-session-secret-of-at-least-32-characters"
SESSION: dict[str, Any] = {
    "user": {"sub": "auth0|alice", "name": "Zoë", "sid": "S1"},
    "id_token": "eyJ.header.sig",
    "refresh_token": "v1.refresh",
    "token_sets": [{"audience": "default", "access_token": "at", "expires_at": 1_800_086_400}],
    "internal": {"sid": "S1", "created_at": 1_800_000_000},
}


class OurDict(StateStore):
    """A store written the official way, on our base class."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.data: dict[str, str] = {}

    async def set(
        self,
        identifier: str,
        state: dict[str, Any],
        remove_if_expires: bool = False,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.data[identifier] = self.encrypt(identifier, state)

    async def get(
        self, identifier: str, options: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        value = self.data.get(identifier)
        return None if value is None else self.decrypt(identifier, value)

    async def delete(self, identifier: str, options: dict[str, Any] | None = None) -> None:
        self.data.pop(identifier, None)


class OfficialDict(official.StateStore):  # type: ignore[misc]
    """The same store on the official base class."""

    async def set(
        self, identifier: str, state: Any, remove_if_expires: Any = False, options: Any = None
    ) -> None:
        raise NotImplementedError

    async def get(self, identifier: str, options: Any = None) -> Any:
        raise NotImplementedError

    async def delete(self, identifier: str, options: Any = None) -> None:
        raise NotImplementedError


def ours() -> OurDict:
    return OurDict({"secret": SECRET})


def theirs() -> Any:
    return OfficialDict({"secret": SECRET})


@pytest.mark.parametrize("identifier", ["_a0_session", "_a0_tx:abc", "mfa_token"])
def test_our_encrypt_opens_with_the_official_decrypt(identifier: str) -> None:
    assert theirs().decrypt(identifier, ours().encrypt(identifier, SESSION)) == SESSION


@pytest.mark.parametrize("identifier", ["_a0_session", "_a0_tx:abc", "mfa_token"])
def test_the_official_encrypt_opens_with_our_decrypt(identifier: str) -> None:
    assert ours().decrypt(identifier, theirs().encrypt(identifier, SESSION)) == SESSION


class _SameIv(CBCHS2EncModel):
    iv = b""

    def generate_iv(self) -> bytes:
        return self.iv


class _SameIvRegistry(JWERegistry):
    def get_enc(self, name: str) -> CBCHS2EncModel:
        assert name == "A256CBC-HS512"
        return _SameIv(256, 512)


def test_byte_for_byte_the_official_value_given_its_iv() -> None:
    """With the IV the official SDK drew (the only random input), our sealing of the same
    payload is the official compact JWE character for character: same protected header, same
    derived key, same plaintext serialization, same ciphertext and tag."""
    token = theirs().encrypt("_a0_session", SESSION)
    header, encrypted_key, iv, _, _ = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {
        "alg": "dir",
        "enc": "A256CBC-HS512",
    }
    assert encrypted_key == ""
    _SameIv.iv = base64.urlsafe_b64decode(iv + "==")
    key = OctKey.import_key(_seal.derive_key(SECRET, "_a0_session"))
    registry = _SameIvRegistry(algorithms=["dir", "A256CBC-HS512"])
    assert _seal._encrypt(json.dumps(SESSION).encode(), key, registry) == token


def test_encrypt_is_the_seal_of_the_cookie_and_redis_stores() -> None:
    assert _seal.unseal(ours().encrypt("id", SESSION), [SECRET], "id") == SESSION
    assert ours().decrypt("id", _seal.seal(SESSION, SECRET, "id")) == SESSION


def test_the_official_names_and_signatures() -> None:
    """Same class names, constructor, methods, parameter names/defaults and async-ness."""
    pairs = [
        (AbstractDataStore, official.AbstractDataStore),
        (StateStore, official.StateStore),
        (TransactionStore, official.TransactionStore),
    ]
    for mine, theirs_ in pairs:
        assert mine.__name__ == theirs_.__name__
        names = {n for n in dir(theirs_) if not n.startswith("_")} | {"__init__"}
        for name in names:
            expected, actual = getattr(theirs_, name), getattr(mine, name)
            assert list(inspect.signature(actual).parameters) == list(
                inspect.signature(expected).parameters
            ), name
            assert [p.default for p in inspect.signature(actual).parameters.values()] == [
                p.default for p in inspect.signature(expected).parameters.values()
            ], name
            assert inspect.iscoroutinefunction(actual) == inspect.iscoroutinefunction(expected)
    assert issubclass(StateStore, AbstractDataStore)
    assert issubclass(TransactionStore, AbstractDataStore)
    assert StateStore.__abstractmethods__ == official.StateStore.__abstractmethods__


def test_abstract_until_set_get_delete_are_written() -> None:
    class Partial(StateStore):
        async def get(self, identifier: str, options: dict[str, Any] | None = None) -> None:
            return None

    with pytest.raises(TypeError, match="abstract"):
        Partial({"secret": SECRET})  # type: ignore[abstract]
    with pytest.raises(TypeError, match="abstract"):
        TransactionStore({"secret": SECRET})  # type: ignore[abstract]


async def _default_delete_by_logout_token(store: StateStore) -> None:
    await store.delete_by_logout_token({"sid": "S1"})


def test_default_delete_by_logout_token_raises_not_implemented() -> None:
    import anyio

    with pytest.raises(NotImplementedError):
        anyio.run(_default_delete_by_logout_token, ours())


def test_options_are_kept_and_the_secret_read_when_used() -> None:
    store = OurDict({"secret": SECRET, "cookie_name": "x"})
    assert store._options == {"secret": SECRET, "cookie_name": "x"}
    keyless = OurDict({})  # like the official SDK, building without a secret is allowed ...
    with pytest.raises(ConfigurationError, match="secret"):
        keyless.encrypt("id", SESSION)  # ... encrypting is not
    bad: dict[str, Any]
    for bad in ({"secret": ""}, {"secret": None}, {"secret": []}, {"secret": [SECRET, 3]}):
        with pytest.raises(ConfigurationError, match="secret"):
            OurDict(bad).decrypt("id", "x")


def test_a_secret_list_rotates_and_a_foreign_value_raises_unseal_error() -> None:
    old = OurDict({"secret": "old-secret"}).encrypt("id", SESSION)
    rotated = OurDict({"secret": ["new-secret", "old-secret"]})
    assert rotated.decrypt("id", old) == SESSION
    assert (
        OfficialDict({"secret": "new-secret"}).decrypt("id", rotated.encrypt("id", SESSION))
        == SESSION
    )
    with pytest.raises(UnsealError) as caught:
        ours().decrypt("id", old)
    assert "old-secret" not in str(caught.value)
    assert old not in str(caught.value)
    with pytest.raises(UnsealError):
        ours().decrypt("another-id", ours().encrypt("id", SESSION))
