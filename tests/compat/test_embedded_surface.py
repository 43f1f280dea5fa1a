"""``server_client.mfa`` and ``server_client.passwordless`` against the installed official
``MfaClient`` and ``PasswordlessClient``: every public method of theirs is on ours, on both
facades, with the official parameters in the official order and defaults, a coroutine on
``auth0_anyio`` exactly where the official one is one, blocking on ``auth0_requests``; and
the official documentation harness (scripts/doc_snippets) runs every MFA.md and
Passwordless.md block or names why not (its run against the pages is reported in
docs/compatibility.md: it needs the official repository's docs, which CI does not have)."""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from typing import Any

import pytest

import auth0_anyio
import auth0_requests

official_mfa = pytest.importorskip("auth0_server_python.auth_server.mfa_client")
official_passwordless = pytest.importorskip("auth0_server_python.auth_server.passwordless_client")

CONFIG: dict[str, Any] = {
    "domain": "tenant.example",
    "client_id": "id",
    "client_secret": "s",
    "secret": "x" * 32,
}
PAIRS = [
    ("mfa", official_mfa.MfaClient),
    ("passwordless", official_passwordless.PasswordlessClient),
]


def public_methods(cls: type) -> list[str]:
    return sorted(
        name
        for name in dir(cls)
        if not name.startswith("_") and callable(inspect.getattr_static(cls, name))
    )


def parameters(function: Any) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(function).parameters.values() if p.name != "self"]


@pytest.mark.parametrize(("prop", "official"), PAIRS)
def test_every_official_method_is_there_with_the_official_call_shape(
    prop: str, official: type
) -> None:
    methods = public_methods(official)
    assert methods
    for facade in (auth0_requests, auth0_anyio):
        client = facade.ServerClient(**CONFIG)
        group = getattr(client, prop)
        assert getattr(client, prop) is group  # one object per client
        for name in methods:
            ours = getattr(group, name)
            theirs = getattr(official, name)
            if facade is auth0_anyio:
                assert inspect.iscoroutinefunction(ours) == inspect.iscoroutinefunction(theirs)
            else:
                assert not inspect.iscoroutinefunction(ours), name
            mine = parameters(ours)
            for index, expected in enumerate(parameters(theirs)):
                assert index < len(mine), (name, expected.name)
                assert mine[index].name == expected.name, (name, expected.name)
                if expected.default is not inspect.Parameter.empty:
                    assert mine[index].default == expected.default, (name, expected.name)
            assert all(
                p.default is not inspect.Parameter.empty for p in mine[len(parameters(theirs)) :]
            )


def test_the_docs_harness_runs_every_mfa_and_passwordless_block() -> None:
    scripts = Path(__file__).parents[2] / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        specs = importlib.import_module("doc_snippets.specs")
    finally:
        sys.path.remove(str(scripts))
    pages = {"MFA.md": 24, "Passwordless.md": 12}
    for page, count in pages.items():
        keys = [key for key in specs.SPECS if key.startswith(page + "#")]
        assert len(keys) == count, page
        for key in keys:
            spec = specs.SPECS[key]
            assert spec.feature == "", key
            if spec.not_run is not None:  # only what is no runnable snippet
                assert spec.not_run.category == specs.FRAGMENT, key
                continue
            assert spec.setup is not None, key
            assert spec.check is not None or spec.differs, key
            assert spec.purpose, key
