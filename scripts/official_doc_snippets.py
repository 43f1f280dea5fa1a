"""Run every Python snippet of auth0-server-python's documentation against auth0-core.

    .venv/bin/python scripts/official_doc_snippets.py [--repo PATH] [--only PAGE#N] [-v]

Reads ``README.md`` and every ``examples/*.md`` of auth0-server-python at :data:`COMMIT` from a
clone (``--repo``, ``$AUTH0_SERVER_PYTHON_REPO``, or the local snapshot :data:`DEFAULT_REPO`),
checks each page's SHA-256, extracts each fenced Python block and looks it up in
:data:`SPECS` (doc_snippets/specs.py): run, or not run with a reason. A runnable snippet gets only

- the import line rewritten (``auth0_server_python...`` -> ``auth0_anyio`` / ``auth0_requests``),
- its placeholders filled (``YOUR_AUTH0_DOMAIN`` -> the emulated tenant, ``request`` /
  ``response`` -> our cookie request and response, ``callback_url`` -> the callback a scripted
  browser login returns, names the page defines in another block),
- the docs' own typos fixed (:data:`doc_snippets.specs.TYPOS`, each with its location),

each edit required to match exactly. The block is then executed, as the body of an ``async
def`` (so its top-level ``await`` and ``return`` work), on asyncio and on trio with
``auth0_anyio.ServerClient``, and with every ``await`` removed, as a plain function, with
``auth0_requests.ServerClient`` where that is meaningful. Then the script checks what the
snippet is for (the tenant saw the request, the session holds the user, the URL is the
tenant's ``/authorize`` with the parameters the snippet set...).

The tenant is emulated (``auth0_core.tenant``), served in this process on loopback by
``auth0_tenant_server.ServerThread``: the snippets build their own ``ServerClient`` with no
transport argument, so it must be reachable the ordinary way. A fresh tenant per run.

CI cannot run this: its machines have no access to the official repository's docs, and the
official sdist and wheel do not ship them. Exit status: 0 nothing failed, 1 a run failed or a
page changed, 2 the pages are not available.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from doc_snippets.harness import MODES, Harness  # noqa: E402
from doc_snippets.specs import SPECS, TYPOS, NotRun, Spec, feature_gate  # noqa: E402

COMMIT = "75920ab4ce1b24b950eaf38962b825ab6b7622c9"
DEFAULT_REPO = "/work/.mirror/auth0+auth0-server-python/repo"
PAGE_SHA256 = {
    "README.md": "27b2dc49d8021bf30faef300b7256207ebade353903f77901f11143fb122a301",
    "examples/ClientInitiatedBackChannelLogin.md": (
        "ec969af8b6af6a12921072e3c2bae21a09bf992ea24adf3b22f60724c0bd61ab"
    ),
    "examples/ConfigureStore.md": (
        "bf84efd7562a11d28af4edab66d369642d2b5cbcdcaca3cc14d7603c6efae143"
    ),
    "examples/ConnectedAccounts.md": (
        "594877708e1ad664e217ce7657ef3a0bf3793c04fa78dba3529795967cf11e51"
    ),
    "examples/CustomTokenExchange.md": (
        "f275c53bc2e60dd40ba36bb0ba8f7fa45de2fd22338bb18e9967bcc7947fc07b"
    ),
    "examples/InteractiveLogin.md": (
        "826ae8bdfc0a31bc3d42c7ad6b4d6cc844191f0cf97e90855e6e0b01aec9198f"
    ),
    "examples/MFA.md": "4c22681f8115992f2ed78e8afafee7e0d17c87783634fbd59600f3b1a3dae883",
    "examples/MultipleCustomDomains.md": (
        "1c1765b443ac75e4699eb4af4cb0fda82fdfc26653b3f5ab6d173b9a66891883"
    ),
    "examples/MyAccountAuthenticationMethods.md": (
        "5f8130a5e4dfcf63f74885226b345ae1b7be37e777c550234520775a03f95fe0"
    ),
    "examples/Passkeys.md": "3f43fca49988fdfe12a43fd2ade239b9d7f3bcde8c75520e5f76e85afb8714fe",
    "examples/Passwordless.md": (
        "8f08a51e32e53dce7c10a3b04e31cc506463cd1713beffbbc82b840cc825023d"
    ),
    "examples/RetrievingData.md": (
        "49ac37d30fb274ac8b0e41b00e368ed1906328c311c3c1f6201d9b6f99842087"
    ),
    "examples/UserLinking.md": "8af95fd3a2951ea05e60ff05db1ddca84388aa67df6ac413b743e2f8f13e674d",
}
BLOCK = re.compile(r"^([ \t]*)```python[^\n]*\n(.*?)^\1```", re.DOTALL | re.MULTILINE)
IMPORTS = {  # official module -> ours, per facade; longest first
    "auth0_server_python.auth_server.server_client": "{facade}",
    "auth0_server_python.auth_server.my_account_client": "{facade}.my_account_client",
    "auth0_server_python.auth_server": "{facade}",
    "auth0_server_python.auth_types": "{facade}.auth_types",
    "auth0_server_python.error": "{facade}.error",
    "auth0_server_python.store": "auth0_core.stores",
}


class DocsUnavailable(Exception):
    """A page could not be read."""


class Differs(Exception):
    """The block raised the refusal its spec documents as a deliberate difference."""


class Snippet:
    """One fenced Python block: ``page#index``, its first code line on the page, its text."""

    def __init__(self, page: str, index: int, line: int, text: str) -> None:
        self.page, self.index, self.line, self.text = page, index, line, text

    @property
    def key(self) -> str:
        return f"{Path(self.page).name}#{self.index}"


def read_pages(repo: str | None) -> dict[str, str]:
    repo = repo or os.environ.get("AUTH0_SERVER_PYTHON_REPO") or DEFAULT_REPO
    git = shutil.which("git")
    if not Path(repo).exists() or git is None:
        raise DocsUnavailable(f"{repo} does not exist" if git else "git is not installed")
    pages = {}
    for page in PAGE_SHA256:
        shown = subprocess.run(  # noqa: S603  (git, with the path the user gave)
            [git, "-C", repo, "show", f"{COMMIT}:{page}"], capture_output=True, check=False
        )
        if shown.returncode != 0:
            detail = shown.stderr.decode(errors="replace").strip()
            raise DocsUnavailable(f"{repo} does not hold {page} at {COMMIT[:12]}: {detail}")
        pages[page] = shown.stdout.decode("utf-8")
    return pages


def extract(page: str, text: str) -> list[Snippet]:
    found = []
    for index, match in enumerate(BLOCK.finditer(text), start=1):
        line = text.count("\n", 0, match.start(2)) + 1
        found.append(Snippet(page, index, line, textwrap.dedent(match.group(2))))
    return found


def replace_once(source: str, old: str, new: str, what: str) -> str:
    count = source.count(old)
    if count != 1:
        raise AssertionError(f"{what} {old!r} is in the block {count} times, not once")
    return source.replace(old, new)


def prepared(snippet: Snippet, spec: Spec, facade: str) -> str:
    """The block with the typo fixes, placeholder fills and import rewrite: nothing else."""
    source = snippet.text
    for typo in TYPOS:
        if typo.key == snippet.key:
            source = replace_once(source, typo.old, typo.new, "the typo")
    for old, new in spec.fills:
        source = replace_once(source, old, new, "the placeholder")

    def rewrite(match: re.Match[str]) -> str:
        return f"from {IMPORTS[match.group(1)].format(facade=facade)} import"

    pattern = "|".join(re.escape(name) for name in IMPORTS)
    source = re.sub(rf"^from ({pattern}) import", rewrite, source, flags=re.MULTILINE)
    if "auth0_server_python" in source:
        raise AssertionError("an official import is left after the rewrite")
    return source


class _Unawait(ast.NodeTransformer):
    def visit_Await(self, node: ast.Await) -> ast.AST:
        replaced: ast.AST = self.visit(node.value)
        return replaced


def _bound_names(body: list[ast.stmt]) -> list[str]:
    """Every name the block binds at its top level (not inside its functions or classes)."""
    names: list[str] = []

    def walk(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
            return
        if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp):
            return
        if isinstance(node, ast.GeneratorExp):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        elif isinstance(node, ast.alias):
            names.append((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.append(node.name)
        for child in ast.iter_child_nodes(node):
            walk(child)

    for statement in body:
        walk(statement)
    return sorted(set(names))


def compiled(snippet: Snippet, source: str, synchronous: bool) -> Any:
    """The block as the body of ``__snippet__`` (``async def``, or ``def`` without its
    awaits), its top-level names global, its line numbers those of the page."""
    tree = ast.parse(source, filename=snippet.page)
    if synchronous:
        tree = _Unawait().visit(tree)
    body = list(tree.body) or [ast.Pass()]
    names = _bound_names(body)
    if names:
        body.insert(0, ast.Global(names=names))
    arguments = ast.arguments(
        posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], defaults=[]
    )
    function: ast.stmt
    if synchronous:
        function = ast.FunctionDef(name="__snippet__", args=arguments, body=body, decorator_list=[])
    else:
        function = ast.AsyncFunctionDef(
            name="__snippet__", args=arguments, body=body, decorator_list=[]
        )
    module = ast.Module(body=[function], type_ignores=[])
    ast.fix_missing_locations(module)
    ast.increment_lineno(module, snippet.line - 1)
    return compile(module, snippet.page, "exec")


async def run_one(harness: Harness, snippet: Snippet, spec: Spec, mode: str) -> None:
    """Setup, the snippet, the check, for one mode."""
    synchronous = mode == "sync"
    facade = "auth0_requests" if synchronous else "auth0_anyio"
    source = prepared(snippet, spec, facade)
    code = compiled(snippet, source, synchronous)
    run = harness.new_run(mode)
    try:
        namespace = run.namespace()
        if spec.setup is not None:
            await spec.setup(run, namespace)
        exec(code, namespace)  # noqa: S102  (the pinned, hash-checked docs block)
        try:
            outcome = namespace["__snippet__"]()
            if not synchronous:
                outcome = await outcome
        except Exception as error:
            if spec.differs and spec.differs[0] in f"{type(error).__name__}: {error}":
                raise Differs(f"{type(error).__name__}: {error}") from error
            raise
        if spec.differs:
            raise AssertionError(f"ran without the documented refusal ({spec.differs[0]})")
        namespace["__return__"] = outcome
        assert spec.check is not None
        await spec.check(run, namespace)
    finally:
        await run.close()


def drive(mode: str, job: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``job`` on asyncio or trio; for the sync client, without any event loop (every
    harness step blocks, so the coroutine finishes on its first step)."""
    if mode == "asyncio":
        asyncio.run(job())
    elif mode == "trio":
        import trio

        trio.run(job)
    else:
        coroutine = job()
        try:
            coroutine.send(None)
        except StopIteration:
            return
        coroutine.close()
        raise AssertionError("the sync run suspended: something awaited an event loop")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repo", help=f"a git directory of auth0-server-python with {COMMIT}")
    parser.add_argument("--only", action="append", help="run only PAGE#N (e.g. README.md#1)")
    parser.add_argument("-v", "--verbose", action="store_true", help="print tracebacks")
    arguments = parser.parse_args(argv)
    try:
        pages = read_pages(arguments.repo)
    except DocsUnavailable as error:
        print(f"official_doc_snippets: the docs are not available: {error}", file=sys.stderr)
        return 2
    changed = [
        page
        for page, text in pages.items()
        if hashlib.sha256(text.encode()).hexdigest() != PAGE_SHA256[page]
    ]
    if changed:
        print(f"FAIL  pages changed since {COMMIT[:12]}: {', '.join(changed)}")
        return 1
    snippets = [s for page, text in pages.items() for s in extract(page, text)]
    keys = {s.key for s in snippets}
    missing = sorted(set(SPECS) ^ keys)
    if missing:
        print(f"FAIL  blocks and SPECS differ: {missing}")
        return 1
    print(
        f"auth0-server-python docs at {COMMIT[:12]}: {len(snippets)} Python blocks "
        f"in {len(pages)} pages; modes {', '.join(MODES)}"
    )
    statuses = ("PASS", "FAIL", "DIFFERS", "NOT RUN")
    totals = dict.fromkeys(statuses, 0)
    reasons: dict[str, int] = {}
    per_mode = {mode: dict.fromkeys(statuses, 0) for mode in MODES}
    with Harness() as harness:
        for snippet in snippets:
            if arguments.only and snippet.key not in arguments.only:
                continue
            spec = SPECS[snippet.key]
            for mode in MODES:
                label = f"{snippet.key} (line {snippet.line}) [{mode}]"
                not_run = spec.not_run or feature_gate(spec)
                if not_run is None and mode == "sync" and spec.sync_reason:
                    not_run = NotRun("not meaningful synchronously", spec.sync_reason)
                if not_run is not None:
                    print(f"NOT RUN  {label}: {not_run.category}: {not_run.why}")
                    status = "NOT RUN"
                    reasons[not_run.category] = reasons.get(not_run.category, 0) + 1
                else:
                    try:
                        drive(mode, lambda: run_one(harness, snippet, spec, mode))  # noqa: B023
                    except Differs as error:
                        status = "DIFFERS"
                        why = spec.differs[-1] if spec.differs else ""
                        print(f"DIFFERS  {label}: {error}; {why}")
                    except Exception as error:  # reported; the run goes on
                        status = "FAIL"
                        print(f"FAIL     {label}: {type(error).__name__}: {error}")
                        if arguments.verbose:
                            print(textwrap.indent(traceback.format_exc(), "         "))
                    else:
                        status = "PASS"
                        print(f"PASS     {label}: {spec.purpose}")
                totals[status] += 1
                per_mode[mode][status] += 1
    print()
    for mode, counts in per_mode.items():
        run_count = counts["PASS"] + counts["FAIL"] + counts["DIFFERS"]
        print(
            f"{mode:8} run {run_count}, passed {counts['PASS']}, failed {counts['FAIL']}, "
            f"refused as documented {counts['DIFFERS']}, not run {counts['NOT RUN']}"
        )
    print("not run, by reason (snippet x mode):")
    for category, count in sorted(reasons.items(), key=lambda item: -item[1]):
        print(f"  {count:4}  {category}")
    print(
        f"total: run {totals['PASS'] + totals['FAIL'] + totals['DIFFERS']}, "
        f"passed {totals['PASS']}, failed {totals['FAIL']}, "
        f"refused as documented {totals['DIFFERS']}, not run {totals['NOT RUN']}"
    )
    return 1 if totals["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
