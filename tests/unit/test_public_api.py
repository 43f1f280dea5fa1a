"""The public face: both facades expose the same methods with the same signatures, and the
exports are pinned (as httpx's test_exported_members does)."""

import inspect

import auth0_anyio
import auth0_core.errors
import auth0_requests

METHODS = [
    "complete_interactive_login",
    "complete_link_user",
    "complete_unlink_user",
    "get_access_token",
    "get_access_token_for_connection",
    "get_client_credentials_token",
    "get_session",
    "get_user",
    "link_user_accounts",
    "logout",
    "start_interactive_login",
    "start_link_user",
    "start_unlink_user",
    "unlink_user_accounts",
]


def test_both_facades_have_the_same_methods_and_signatures() -> None:
    for name in METHODS:
        sync = getattr(auth0_requests.ServerClient, name)
        async_ = getattr(auth0_anyio.ServerClient, name)
        assert inspect.signature(sync) == inspect.signature(async_), name
        assert not inspect.iscoroutinefunction(sync)
        assert inspect.iscoroutinefunction(async_)
        assert sync.__doc__
        assert sync.__name__ == name


def test_seed_signatures() -> None:
    signature = inspect.signature(auth0_requests.ServerClient.get_access_token)
    assert list(signature.parameters)[:4] == ["self", "store_options", "audience", "scope"]
    signature = inspect.signature(auth0_requests.ServerClient.start_interactive_login)
    assert list(signature.parameters) == ["self", "options", "store_options"]


def test_exports_are_sorted_and_importable() -> None:
    for module in (auth0_requests, auth0_anyio, auth0_core.errors):
        assert module.__all__ == sorted(module.__all__)
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)


# The error classes (every one an Auth0Error, each under its branch): tests/unit/test_error_tree.py.
