"""Our public surface against the installed official ``auth0-server-python``.

Every public method, property and class attribute of its ``ServerClient``, every constructor
parameter, every option/result type of ``auth0_server_python.auth_types``, every field of an
options type we share, and every error class of ``auth0_server_python.error`` exists on both
our facades (``auth0_requests``, ``auth0_anyio``), or is a row of the "Not yet / different"
table of ``docs/compatibility.md``. The table is parsed here, and must list exactly what is
missing: a gap closed or opened without the document changing fails this test.

Methods that exist must take the official positional parameters in the official order with
the official defaults (ours may add parameters after them, each with a default), and be a
coroutine on the async facade exactly where the official method is one, a plain method on the
sync facade. The error classes themselves (attributes, codes, the tree) are tested by
tests/unit/test_error_tree.py; here only their names.
"""

from __future__ import annotations

import inspect
import re
import typing
from pathlib import Path
from typing import Any

import attrs
import pytest

import auth0_anyio
import auth0_anyio.auth_types
import auth0_anyio.error
import auth0_core.errors
import auth0_requests
import auth0_requests.auth_types
import auth0_requests.error
from auth0_core._facade import FacadeOptions

official_client = pytest.importorskip("auth0_server_python.auth_server.server_client")
official_types = pytest.importorskip("auth0_server_python.auth_types")
official_errors = pytest.importorskip("auth0_server_python.error")
Official = official_client.ServerClient

DOC = Path(__file__).parents[2] / "docs" / "compatibility.md"
TABLE_HEADING = "## Not yet / different"
KINDS = {"method", "property", "attribute", "constructor", "parameter", "type", "field", "error"}
STATUSES = {"not yet", "different", "not planned"}
FACADES = (auth0_requests.ServerClient, auth0_anyio.ServerClient)
TYPE_MODULES = (auth0_requests.auth_types, auth0_anyio.auth_types)
ERROR_MODULES = (auth0_core.errors, auth0_requests.error, auth0_anyio.error)
# Our options classes under the official names (auth_types exports the official name).
SHARED_OPTIONS = (
    "StartInteractiveLoginOptions",
    "LogoutOptions",
    "StartLinkUserOptions",
    "AccessTokenForConnectionOptions",
    "ConnectAccountOptions",
)
CONFIG: dict[str, Any] = {
    "domain": "tenant.example",
    "client_id": "id",
    "client_secret": "s",
    "secret": "x" * 32,
}


def doc_rows() -> list[tuple[str, str, str, str]]:
    """The rows (kind, name, status, reason) of the document's table."""
    text = DOC.read_text(encoding="utf-8")
    assert TABLE_HEADING in text, f"{DOC} has no '{TABLE_HEADING}' section"
    section = text.split(TABLE_HEADING, 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] == "kind":
            continue
        assert len(cells) == 4, line
        kind, name, status, reason = cells
        rows.append((kind, name.strip("`"), status, reason))
    return rows


def public_names(cls: type) -> list[str]:
    return sorted(name for name in dir(cls) if not name.startswith("_"))


def kind_of(cls: type, name: str) -> str:
    static = inspect.getattr_static(cls, name)
    if isinstance(static, property):
        return "property"
    return "method" if callable(static) else "attribute"


def official_parameters(function: Any) -> list[inspect.Parameter]:
    return list(inspect.signature(function).parameters.values())[1:]


def parameter_problems(name: str) -> list[str]:
    """How our method ``name`` cannot be called as the official one is (empty: it can)."""
    problems = []
    theirs = official_parameters(getattr(Official, name))
    for facade in FACADES:
        ours = official_parameters(getattr(facade, name))
        for index, official in enumerate(theirs):
            mine = ours[index] if index < len(ours) else None
            if (
                mine is None
                or mine.name != official.name
                or mine.kind != official.kind
                or (
                    official.default is not inspect.Parameter.empty
                    and mine.default != official.default
                )
            ):
                problems.append(f"{name}({official.name})")
        for extra in ours[len(theirs) :]:
            if extra.default is inspect.Parameter.empty and extra.kind not in (
                inspect.Parameter.VAR_POSITIONAL,
                inspect.Parameter.VAR_KEYWORD,
            ):
                problems.append(f"{name}({extra.name})")
    return sorted(set(problems))


def official_type_names() -> list[str]:
    module = official_types.__name__
    return sorted(
        name
        for name, value in vars(official_types).items()
        if not name.startswith("_")
        and (getattr(value, "__module__", None) == module or name.isupper())
    )


def official_error_names() -> list[str]:
    module = official_errors.__name__
    return sorted(
        name
        for name, value in vars(official_errors).items()
        if inspect.isclass(value) and value.__module__ == module and not name.startswith("_")
    )


def our_constructor_parameters() -> set[str]:
    names = set(typing.get_type_hints(FacadeOptions))
    for facade in FACADES:
        signature = inspect.signature(facade.__init__)
        names |= {p.name for p in signature.parameters.values() if p.kind != p.VAR_KEYWORD}
    return names


def accepts_positional_arguments() -> bool:
    return all(
        any(
            p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"
            for p in inspect.signature(facade.__init__).parameters.values()
        )
        for facade in FACADES
    )


def accepts_a_domain_resolver() -> bool:
    try:
        auth0_requests.ServerClient(**{**CONFIG, "domain": lambda _options: "tenant.example"})
    except auth0_core.errors.Auth0Error:
        return False
    return True


def option_fields(cls: Any) -> set[str]:
    fields = getattr(cls, "model_fields", None)
    if fields is not None:
        return set(fields)
    return {field.name for field in attrs.fields(cls)}


def computed_rows() -> set[tuple[str, str]]:
    """What the comparison finds missing or different, as (kind, name)."""
    rows: set[tuple[str, str]] = set()
    for name in public_names(Official):
        if not all(hasattr(facade, name) for facade in FACADES):
            rows.add((kind_of(Official, name), name))
        elif kind_of(Official, name) == "method":
            rows |= {("parameter", problem) for problem in parameter_problems(name)}
    accepted = our_constructor_parameters()
    for parameter in official_parameters(Official.__init__):
        if parameter.name not in accepted:
            rows.add(("constructor", parameter.name))
    if not accepts_positional_arguments():
        rows.add(("constructor", "positional arguments"))
    if not accepts_a_domain_resolver():
        rows.add(("constructor", "domain (a resolver function)"))
    for name in official_type_names():
        if not all(hasattr(module, name) for module in TYPE_MODULES):
            rows.add(("type", name))
    for name in SHARED_OPTIONS:
        theirs = option_fields(getattr(official_types, name))
        ours = option_fields(getattr(auth0_requests.auth_types, name))
        rows |= {("field", f"{name}.{field}") for field in theirs - ours}
    for name in official_error_names():
        if not all(hasattr(module, name) for module in ERROR_MODULES):
            rows.add(("error", name))
    return rows


def test_the_document_lists_exactly_what_is_missing_or_different() -> None:
    documented = {(kind, name) for kind, name, _, _ in doc_rows()}
    found = computed_rows()
    assert sorted(found - documented) == [], "missing here but not in docs/compatibility.md"
    assert sorted(documented - found) == [], "in docs/compatibility.md but present here"


def test_every_row_is_well_formed_and_listed_once() -> None:
    rows = doc_rows()
    assert rows
    keys = [(kind, name) for kind, name, _, _ in rows]
    assert len(keys) == len(set(keys))
    for kind, name, status, reason in rows:
        assert kind in KINDS, (kind, name)
        assert status in STATUSES or re.fullmatch(r"not yet: issue \d+", status), (name, status)
        assert len(reason) > 10, (name, "give the reason")


def test_present_methods_keep_the_official_call_shape() -> None:
    present = [
        name
        for name in public_names(Official)
        if kind_of(Official, name) == "method" and all(hasattr(f, name) for f in FACADES)
    ]
    assert len(present) >= 17
    for name in present:
        official_is_async = inspect.iscoroutinefunction(getattr(Official, name))
        assert not inspect.iscoroutinefunction(getattr(auth0_requests.ServerClient, name)), name
        assert inspect.iscoroutinefunction(getattr(auth0_anyio.ServerClient, name)) == (
            official_is_async
        ), name
        assert parameter_problems(name) == [], name


def test_positional_calls_as_the_official_documentation_writes_them() -> None:
    # examples/*.md call these positionally: (options, store_options), (url, store_options),
    # (store_options, audience, scope), (connection, from_param, take, store_options).
    for facade in FACADES:
        for name, arguments in {
            "start_interactive_login": ["options", "store_options"],
            "complete_interactive_login": ["url", "store_options"],
            "start_link_user": ["options", "store_options"],
            "complete_link_user": ["url", "store_options"],
            "logout": ["options", "store_options"],
            "get_access_token": ["store_options", "audience", "scope"],
            "list_connected_accounts": ["connection", "from_param", "take", "store_options"],
        }.items():
            signature = inspect.signature(getattr(facade, name))
            bound = signature.bind(object(), *arguments)  # raises if any is keyword-only
            assert list(bound.arguments)[1:] == arguments, name


def test_shared_constructor_defaults_are_the_official_ones() -> None:
    client = auth0_requests.ServerClient(**CONFIG)
    checked = 0
    for parameter in official_parameters(Official.__init__):
        if parameter.default in (None, inspect.Parameter.empty):
            continue
        if hasattr(client.config, parameter.name):
            assert getattr(client.config, parameter.name) == parameter.default, parameter.name
            checked += 1
    assert checked >= 3  # transaction_identifier, state_identifier, pushed_authorization_requests


def test_type_modules_mirror_the_official_module_name() -> None:
    for module in TYPE_MODULES:
        assert module.__all__ == sorted(module.__all__)
        for name in module.__all__:
            assert hasattr(module, name)
        for name in SHARED_OPTIONS:
            assert getattr(module, name) is getattr(auth0_requests.auth_types, name)
    # Types exported from the adapter package too, where our own docs import them.
    for name in SHARED_OPTIONS:
        assert getattr(auth0_requests, name) is getattr(auth0_anyio, name)


def test_the_counts_in_the_document_are_current() -> None:
    methods = [n for n in public_names(Official) if kind_of(Official, n) == "method"]
    missing = {name for kind, name in computed_rows() if kind == "method"}
    text = DOC.read_text(encoding="utf-8")
    expected = (
        f"{len(methods)} public methods: {len(methods) - len(missing)} on both facades, "
        f"{len(missing)} listed below"
    )
    assert expected in text, expected


def test_the_anonymous_client_keeps_the_official_call_shape() -> None:
    """``server_client.anonymous`` (1.0.0b20's ``AnonymousClient``): every public method, the
    official parameters in order with their defaults and kinds (keyword-only ones too), a
    coroutine on auth0_anyio, blocking on auth0_requests; the stored record's and the
    results' fields are the official models' (docs/anonymous-and-enterprise.md)."""
    anonymous_module = pytest.importorskip("auth0_server_python.auth_server.anonymous")
    official_anonymous = anonymous_module.AnonymousClient
    names = [
        n
        for n in public_names(official_anonymous)
        if callable(inspect.getattr_static(official_anonymous, n))
    ]
    assert "create_session" in names
    for facade in FACADES:
        group = facade(**CONFIG).anonymous
        for name in names:
            theirs = list(inspect.signature(getattr(official_anonymous, name)).parameters.values())
            ours = list(inspect.signature(getattr(group, name)).parameters.values())
            assert [(p.name, p.kind, p.default) for p in theirs[1:]] == [
                (p.name, p.kind, p.default) for p in ours
            ], name
            coroutine = inspect.iscoroutinefunction(getattr(group, name))
            assert coroutine == (facade is auth0_anyio.ServerClient), name
    import auth0_core._anonymous_types as ours_types

    for name in (
        "AnonymousSession",
        "AnonymousSessionData",
        "AnonymousSessionContext",
        "AnonymousTokenSetEntry",
        "CreateAnonymousSessionOptions",
    ):
        assert option_fields(getattr(ours_types, name)) == option_fields(
            getattr(official_types, name)
        ), name
    enterprise = option_fields(official_types.StartEnterpriseLoginOptions)
    assert enterprise <= option_fields(ours_types.StartEnterpriseLoginOptions)


def _refuses(client: Any, name: str) -> bool:
    """Whether calling ``client.<name>()`` raises EnterpriseConnectError (a coroutine method
    when first run)."""
    from auth0_core.errors import EnterpriseConnectError

    try:
        result = getattr(client, name)()
        if inspect.iscoroutine(result):
            result.send(None)
    except EnterpriseConnectError:
        return True
    return False


def test_enterprise_connect_allows_what_the_official_allows() -> None:
    """With ``enterprise_connect=True`` the same methods work as in 1.0.0b20 (plus our
    ``close``/``aclose``); every other public method of either facade raises
    EnterpriseConnectError."""
    from auth0_core.flows.enterprise import ALLOWED_METHODS

    assert set(official_client._EC_ALLOWED_METHODS) | {"close", "aclose"} == ALLOWED_METHODS
    for facade in FACADES:
        client = facade(**CONFIG, enterprise_connect=True)
        refused = [
            name
            for name in public_names(facade)
            if kind_of(facade, name) == "method" and name not in ALLOWED_METHODS
        ]
        assert "get_user" in refused
        assert [name for name in refused if not _refuses(client, name)] == []
