"""The core's import graph has no cycle, and no module of the tenant imports the tenant's face.

Every ``import`` statement counts, wherever it is: at the top, inside a function, under
``if TYPE_CHECKING:``. A cycle that only a lazy import or a type-only import keeps from failing
at run time is still a cycle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

import auth0_core
from auth0_core.tenant import Tenant

Graph = dict[str, set[str]]


def _module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(package: str, module: str | None, level: int) -> str:
    """The absolute name ``from <level dots><module> import ...`` refers to inside ``package``."""
    if level == 0:
        return module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + (module.split(".") if module else []))


def _known(name: str, modules: set[str]) -> str | None:
    """The longest prefix of ``name`` that is a module of the package, or None (external)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def import_graph(root: Path) -> Graph:
    """Module -> the package's modules it imports, for every ``.py`` file under ``root``."""
    files = {_module_name(root, path): path for path in sorted(root.rglob("*.py"))}
    modules = set(files)
    graph: Graph = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(_known(alias.name, modules) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(package, node.module, node.level)
                # ``from pkg import name``: the submodule ``pkg.name`` if there is one, else pkg.
                targets.update(_known(f"{base}.{alias.name}", modules) for alias in node.names)
        graph[name] = {target for target in targets if target is not None and target != name}
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None when the graph is acyclic."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph.get(module, ())):
            cycle = visit(target)
            if cycle is not None:
                return cycle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module)
        if cycle is not None:
            return cycle
    return None


CORE = Path(auth0_core.__file__).parent
FACE = "auth0_core.tenant"


def test_the_core_has_no_import_cycle() -> None:
    graph = import_graph(CORE)
    assert FACE in graph  # the walk saw the tenant
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_tenant_module_imports_the_face() -> None:
    face_class_module = Tenant.__module__
    graph = import_graph(CORE)
    assert face_class_module in graph
    faces = {FACE, face_class_module}
    offenders = {
        module: sorted(graph[module] & faces)
        for module in graph
        if module.startswith(FACE + ".") and module != face_class_module
        and graph[module] & faces
    }  # fmt: skip
    assert offenders == {}


def test_the_graph_sees_lazy_relative_and_type_only_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from .a import f\n")
    (package / "a.py").write_text("def f():\n    from .sub.b import g\n    return g\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .. import a\ng = 1\n"
    )
    graph = import_graph(package)
    assert graph == {
        "pkg": {"pkg.a"},
        "pkg.a": {"pkg.sub.b"},
        "pkg.sub": set(),
        "pkg.sub.b": {"pkg.a"},
    }
    assert find_cycle(graph) == ["pkg.a", "pkg.sub.b", "pkg.a"]
    del graph["pkg.sub.b"]
    assert find_cycle(graph) is None
