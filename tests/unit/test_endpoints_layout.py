"""Where requests are built: every request/response pair lives in ``auth0_core.endpoints``
(``prepare_X_request`` -> HttpRequest, ``process_X_response(response)`` -> a typed result),
the flows only compose them, and every public call documents what it raises."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
import textwrap
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

import auth0_core.endpoints
import auth0_core.errors
import auth0_core.flows
from auth0_core._http import HttpRequest, HttpResponse
from auth0_core.flows import api

FLOWS_DIR = Path(auth0_core.flows.__file__).parent
# Calls that build or rebuild a request in place, rather than taking a prepared one.
BUILDERS = frozenset({"HttpRequest", "evolve", "form_encode", "json_body"})


def endpoint_modules() -> Iterator[ModuleType]:
    """Every public module of ``auth0_core.endpoints``, packages included."""
    yield auth0_core.endpoints
    prefix = auth0_core.endpoints.__name__ + "."
    for info in pkgutil.walk_packages(auth0_core.endpoints.__path__, prefix):
        if not any(part.startswith("_") for part in info.name.split(".")):
            yield importlib.import_module(info.name)


def _classes_in(hint: object) -> set[type]:
    """The classes a type hint mentions (``list[Foo] | None`` -> {list, Foo, NoneType})."""
    found = {hint} if isinstance(hint, type) else set()
    for argument in typing.get_args(hint):
        found |= _classes_in(argument)
    origin = typing.get_origin(hint)
    if isinstance(origin, type):
        found.add(origin)
    return found


def _public_definitions(module: ModuleType) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {name for name in names if not name.startswith("_")}


def _process_problems(name: str, function: Callable[..., object]) -> list[str]:
    hints = typing.get_type_hints(function)
    parameters = list(inspect.signature(function).parameters.values())
    if not parameters or hints.get(parameters[0].name) is not HttpResponse:
        return [f"{name} does not take an HttpResponse first"]
    if any(p.default is inspect.Parameter.empty for p in parameters[1:]):
        return [f"{name} needs more than the response"]
    return []


def export_problems(module: ModuleType) -> list[str]:
    """Why ``module`` is not a pure endpoint module ([] when it is)."""
    exported = list(getattr(module, "__all__", []))
    is_package = hasattr(module, "__path__")
    problems = [
        f"{name} is public but not in __all__"
        for name in sorted(_public_definitions(module) - set(exported))
    ]
    if not is_package and not exported:
        problems.append("no __all__")
    values = {name: getattr(module, name) for name in exported}
    prepares = {
        n: v for n, v in values.items() if n.startswith("prepare_") and n.endswith("_request")
    }
    processes = {
        n: v for n, v in values.items() if n.startswith("process_") and n.endswith("_response")
    }
    for name, function in prepares.items():
        if typing.get_type_hints(function).get("return") is not HttpRequest:
            problems.append(f"{name} does not return an HttpRequest")
    result_types: set[type] = set()
    for name, function in processes.items():
        problems += _process_problems(name, function)
        result_types |= _classes_in(typing.get_type_hints(function).get("return"))
    problems += [
        f"{name} is neither a prepare/process function nor a result type"
        for name, value in values.items()
        if name not in prepares and name not in processes and value not in result_types
    ]
    if not is_package and not prepares:
        problems.append("no prepare_*_request function")
    if not is_package and not processes:
        problems.append("no process_*_response function")
    return problems


def _builds(name: str) -> bool:
    return name in BUILDERS or (name.endswith("_request") and not name.startswith("prepare_"))


def _is_pair_half(name: str) -> bool:
    return name.startswith(("prepare_", "process_"))


def request_builders(source: str) -> list[str]:
    """What in ``source`` builds an HTTP request in place, or takes a request/response pair
    from anywhere but ``auth0_core.endpoints``."""
    found = []
    tree = ast.parse(source)
    type_only = {  # ``if TYPE_CHECKING:`` imports name a type; they build nothing
        id(child)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test).endswith("TYPE_CHECKING")
        for child in block.body
    }
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if _builds(name):
                found.append(f"line {node.lineno}: {name}(...)")
        elif isinstance(node, ast.FunctionDef) and _is_pair_half(node.name):
            found.append(f"line {node.lineno}: defines {node.name}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            from_endpoints = module.startswith(("endpoints.", "auth0_core.endpoints."))
            found += [
                f"line {node.lineno}: imports {alias.name}"
                for alias in node.names
                if _builds(alias.name) or (_is_pair_half(alias.name) and not from_endpoints)
            ]
    return found


def raises_problems(doc: str | None) -> list[str]:
    """Why ``doc`` lacks a ``Raises:`` section naming classes of ``auth0_core.errors``."""
    lines = inspect.cleandoc(doc or "").splitlines()
    stripped = [line.strip() for line in lines]
    if "Raises:" not in stripped:
        return ["no Raises: section"]
    section = []
    for line in lines[stripped.index("Raises:") + 1 :]:
        if line.strip() and not line.startswith(" "):
            break
        section.append(line)
    entries = textwrap.dedent("\n".join(section)).splitlines()
    names = [
        name.strip()
        for entry in entries
        if entry and not entry.startswith(" ") and ":" in entry
        for name in entry.split(":", 1)[0].split(",")
    ]
    if not names:
        return ["Raises: names no error"]
    return [
        f"{name} is not an error of auth0_core.errors"
        for name in names
        if not (
            isinstance(getattr(auth0_core.errors, name, None), type)
            and issubclass(getattr(auth0_core.errors, name), auth0_core.errors.Auth0Error)
        )
    ]


def public_calls() -> list[Callable[..., object]]:
    return [
        value
        for name, value in vars(api).items()
        if not name.startswith("_")
        and inspect.isfunction(value)
        and value.__module__ == api.__name__
    ]


# --- the layout itself ----------------------------------------------------------------------


def test_the_endpoint_families_exist() -> None:
    names = {module.__name__.removeprefix("auth0_core.endpoints") for module in endpoint_modules()}
    assert {".authentication", ".management", ".my_account"} <= names
    assert {".authentication.discovery", ".authentication.jwks", ".authentication.token"} <= names
    assert {".authentication.par", ".management.users", ".management.identities"} <= names


@pytest.mark.parametrize("module", list(endpoint_modules()), ids=lambda m: m.__name__)
def test_an_endpoint_module_exports_only_request_response_pairs(module: ModuleType) -> None:
    assert module.__doc__, module.__name__
    assert export_problems(module) == []


@pytest.mark.parametrize("path", sorted(FLOWS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_no_flow_builds_a_request_itself(path: Path) -> None:
    assert request_builders(path.read_text(encoding="utf-8")) == []


def test_every_public_call_documents_what_it_raises() -> None:
    calls = public_calls()
    assert len(calls) >= 14
    problems = {call.__name__: raises_problems(call.__doc__) for call in calls}
    assert {name: found for name, found in problems.items() if found} == {}


# --- the checks catch what they are meant to catch --------------------------------------------


def load(tmp_path: Path, source: str) -> ModuleType:
    path = tmp_path / "sample_endpoint.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("sample_endpoint", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLE_HEADER = """
    from __future__ import annotations
    import attrs
    from auth0_core._http import HttpRequest, HttpResponse
"""


def test_a_well_formed_endpoint_module_passes(tmp_path: Path) -> None:
    module = load(
        tmp_path,
        SAMPLE_HEADER
        + """
    __all__ = ["Thing", "prepare_thing_request", "process_thing_response"]

    @attrs.frozen
    class Thing:
        name: str

    def prepare_thing_request(url: str) -> HttpRequest:
        return HttpRequest(method="GET", url=url)

    def process_thing_response(response: HttpResponse) -> Thing | None:
        return Thing(response.body.decode())
    """,
    )
    assert export_problems(module) == []


def test_stray_exports_and_wrong_signatures_are_caught(tmp_path: Path) -> None:
    module = load(
        tmp_path,
        SAMPLE_HEADER
        + """
    __all__ = ["Helper", "prepare_thing_request", "process_thing_response"]
    GRANT = "urn:example"

    class Helper:
        pass

    def prepare_thing_request(url: str) -> str:
        return url

    def process_thing_response(response: HttpResponse, expected: int) -> bytes:
        return response.body
    """,
    )
    assert export_problems(module) == [
        "GRANT is public but not in __all__",
        "prepare_thing_request does not return an HttpRequest",
        "process_thing_response needs more than the response",
        "Helper is neither a prepare/process function nor a result type",
    ]


def test_a_module_without_exports_is_caught(tmp_path: Path) -> None:
    module = load(
        tmp_path, SAMPLE_HEADER + "\n    def build(url: str) -> str:\n        return url\n"
    )
    assert export_problems(module) == [
        "build is public but not in __all__",
        "no __all__",
        "no prepare_*_request function",
        "no process_*_response function",
    ]


@pytest.mark.parametrize(
    "source",
    [
        "request = HttpRequest(method='GET', url=url)",
        "request = attrs.evolve(prepared, headers=())",
        "request = form_request(url, fields)",
        "request = _http.json_request(url, body)",
        "from .._http import HttpRequest",
        "body = json_body({'a': 1})",
        "from .._authorize import prepare_par_request",
        "def prepare_token_request(config):\n    return None",
    ],
)
def test_a_request_built_in_a_flow_is_caught(source: str) -> None:
    assert request_builders(source) != []


def test_composing_prepared_requests_is_not_flagged() -> None:
    source = (
        "from ..endpoints.authentication.token import prepare_refresh_token_request\n"
        "response = yield from fetch(prepare_refresh_token_request(config, metadata))\n"
    )
    assert request_builders(source) == []


@pytest.mark.parametrize(
    ("doc", "problems"),
    [
        (None, ["no Raises: section"]),
        ("Do it.", ["no Raises: section"]),
        ("Do it.\n\nRaises:\n    nothing at all\n", ["Raises: names no error"]),
        (
            "Do it.\n\nRaises:\n    KeyError: never\n",
            ["KeyError is not an error of auth0_core.errors"],
        ),
        (
            "Do it.\n\nRaises:\n    OAuthError, Bogus: refused\n",
            ["Bogus is not an error of auth0_core.errors"],
        ),
        ("Do it.\n\n    Raises:\n        OAuthError: refused,\n            twice.\n", []),
    ],
)
def test_the_raises_check(doc: str | None, problems: list[str]) -> None:
    assert raises_problems(doc) == problems
