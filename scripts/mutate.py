#!/usr/bin/env python3
"""A small mutation run: put realistic one-line bugs into the core, one at a time, and see
whether the tests notice.

Usage (from the repository root, with the project's venv)::

    .venv/bin/python scripts/mutate.py --out benchmarks/results/mutation.json
    .venv/bin/python scripts/mutate.py --only id-exp-boundary seal-salt-ignored

The mutants come from ``scripts/mutants.toml`` (``--mutants`` for another list). Each one names
a file, an ``old`` text that must occur exactly once in it (else the mutant is reported as
invalid and not run), the ``new`` text, and the pytest selection that should notice it.

The run never touches the work tree: it resolves ``HEAD`` (``--rev``) to a commit, extracts
that tree (``git archive``) into a temporary directory once, copies it once per job (two by
default), and checks that each distinct selection passes there unmutated (else it aborts).
Then each job takes the next mutant, writes the mutated file into its own copy, runs ``pytest
-x -q -p no:cacheprovider --hypothesis-seed=0 <selection>`` under a timeout, and writes the
original back. A mutant is killed when the tests fail or error (or time out), and survives
when they pass. A kill is confirmed by running the test that failed once more, unmutated: if it
fails there too the mutant is reported as flaky instead. Mutants marked ``equivalent`` (no test
can tell them apart from the original) are run and shown, but left out of the kill rate.

The tests import the copy (``PYTHONPATH`` points at its ``src`` and ``src/adapters``, ahead of
the editable install) and never write bytecode, so a mutated module is never served from a
stale ``.pyc``. Hypothesis runs with a fixed seed (the unmutated baseline then vouches for the
very examples each mutant meets) and keeps its example database outside the tree, emptied
before every run. Stdlib only.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import io
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MUTANTS = REPO / "scripts" / "mutants.toml"
PYTEST_FLAGS = ("-x", "-q", "-p", "no:cacheprovider")
# A mutant's time limit when --timeout is not given: this many times what its selection took
# unmutated (two jobs share the machine), and never less than MIN_TIMEOUT seconds.
TIMEOUT_FACTOR = 4
MIN_TIMEOUT = 60.0
BASELINE_TIMEOUT = 900.0
# pytest exit codes (pytest.ExitCode): 0 passed, 1 failed, 2 interrupted (collection errors),
# 3 internal error, 4 usage error, 5 nothing collected.
_KILLING_CODES = (1, 2, 3)

KILLED, SURVIVED, FLAKY, INVALID = "killed", "survived", "flaky", "invalid"

T = TypeVar("T")
R = TypeVar("R")


class MutantListError(Exception):
    """The mutant list is malformed."""


@dataclass(frozen=True)
class Mutant:
    """One one-line bug: replace ``old`` by ``new`` in ``file`` and run ``tests``."""

    id: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    equivalent: str | None = None  # why no test can kill it, when it is marked so

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "old": self.old,
            "new": self.new,
            "tests": " ".join(self.tests),
            "equivalent": self.equivalent,
        }


@dataclass(frozen=True)
class Outcome:
    """What happened to one mutant."""

    mutant: Mutant
    status: str  # KILLED, SURVIVED, FLAKY or INVALID
    seconds: float
    returncode: int | None
    detail: str  # the first failing test, "timeout", pytest's summary, or why it is invalid

    def as_json(self) -> dict[str, Any]:
        return {
            **self.mutant.as_json(),
            "status": self.status,
            "seconds": round(self.seconds, 1),
            "returncode": self.returncode,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class PytestRun:
    returncode: int | None  # None: timed out and killed
    seconds: float
    output: str


# --- the mutant list -------------------------------------------------------------------------


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise MutantListError(f"{where}: '{key}' must be a non-empty string")
    return value


def load_mutants(path: Path) -> list[Mutant]:
    """Read ``[[mutant]]`` tables: id, file, old, new, tests, and optionally equivalent.

    Raises:
        MutantListError: a table lacks a field, has an unknown one, or repeats an id.
    """
    with path.open("rb") as handle:
        document = tomllib.load(handle)
    entries = document.get("mutant")
    if not isinstance(entries, list) or not entries:
        raise MutantListError(f"{path}: no [[mutant]] tables")
    known = {"id", "file", "old", "new", "tests", "equivalent"}
    mutants: list[Mutant] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        where = f"{path.name}: mutant #{number}"
        if not isinstance(entry, dict):
            raise MutantListError(f"{where}: not a table")
        unknown = sorted(set(entry) - known)
        if unknown:
            raise MutantListError(f"{where}: unknown field(s) {', '.join(unknown)}")
        mutant_id = _text(entry, "id", where)
        where = f"{path.name}: mutant {mutant_id!r}"
        if mutant_id in seen:
            raise MutantListError(f"{where}: the id is used twice")
        seen.add(mutant_id)
        equivalent = entry.get("equivalent")
        if equivalent is not None and (not isinstance(equivalent, str) or not equivalent):
            raise MutantListError(f"{where}: 'equivalent' must say why, as a string")
        mutants.append(
            Mutant(
                id=mutant_id,
                file=_text(entry, "file", where),
                old=_text(entry, "old", where),
                new=str(entry.get("new", "")),
                tests=tuple(_text(entry, "tests", where).split()),
                equivalent=equivalent,
            )
        )
    return mutants


def problem(mutant: Mutant, tree: Path) -> str | None:
    """Why ``mutant`` cannot be applied to ``tree`` as written, or None when it can."""
    target = tree / mutant.file
    if Path(mutant.file).is_absolute() or ".." in Path(mutant.file).parts:
        return "the file must be a path inside the repository"
    if not target.is_file():
        return f"{mutant.file} is not in the tree"
    if mutant.old == mutant.new:
        return "old and new are the same text"
    count = target.read_text(encoding="utf-8").count(mutant.old)
    if count != 1:
        return f"the old text occurs {count} times in {mutant.file}, not once"
    for selection in mutant.tests:
        if selection.startswith("-"):  # a pytest option, e.g. --ignore=...
            continue
        if not (tree / selection.split("::", 1)[0]).exists():
            return f"the test selection {selection!r} is not in the tree"
    return None


# --- trees and pytest ------------------------------------------------------------------------


def _git(repo: Path, *arguments: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise SystemExit("mutate: git is not on PATH")
    return subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [git, "-C", str(repo), *arguments], check=True, capture_output=True
    ).stdout


def resolve(repo: Path, rev: str) -> str:
    """The commit ``rev`` names now (others may commit while the run goes on)."""
    return _git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}").decode().strip()


def extract_tree(repo: Path, commit: str, destination: Path) -> None:
    """The committed tree of ``commit``, as ``git archive`` gives it, in ``destination``."""
    archive = _git(repo, "archive", "--format=tar", commit)
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(destination, filter="data")


@dataclass(frozen=True)
class Runner:
    """Runs pytest in a tree: its interpreter, hypothesis seed and scratch directory."""

    python: str
    seed: int
    scratch: Path
    # The pytest processes running now, and whether to start no more (an interrupted run).
    _live: set[subprocess.Popen[str]] = field(default_factory=set, compare=False, repr=False)
    _stopped: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)

    def stop(self) -> None:
        """Start no more pytest runs and kill the running ones (with what they started)."""
        self._stopped.set()
        for process in list(self._live):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    def flags(self) -> tuple[str, ...]:
        return (*PYTEST_FLAGS, f"--hypothesis-seed={self.seed}")

    def environment(self, tree: Path) -> dict[str, str]:
        """Import ``tree``, write no bytecode, keep hypothesis' examples outside it."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(str(tree / part) for part in ("src", "src/adapters"))
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["HYPOTHESIS_STORAGE_DIRECTORY"] = str(self._hypothesis_directory(tree))
        # The suite's wheel check (tests/conftest.py) would refuse to test a source tree.
        env.pop("AUTH0_CORE_EXPECT_INSTALLED", None)
        return env

    def _hypothesis_directory(self, tree: Path) -> Path:
        return self.scratch / f"hypothesis-{tree.name}"

    def check_imports(self, tree: Path) -> None:
        """Abort unless the packages under test import from ``tree``, not from an install."""
        code = (
            "import auth0_core, auth0_requests; print(auth0_core.__file__, auth0_requests.__file__)"
        )
        done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [self.python, "-c", code],
            cwd=tree,
            env=self.environment(tree),
            capture_output=True,
            text=True,
            check=False,
        )
        paths = [Path(p).resolve() for p in done.stdout.split()]
        if done.returncode != 0 or not paths or not all(p.is_relative_to(tree) for p in paths):
            raise SystemExit(f"mutate: tests would not import {tree}: {done.stdout}{done.stderr}")

    def pytest(self, tree: Path, tests: Sequence[str], timeout: float) -> PytestRun:
        """``pytest -x -q -p no:cacheprovider --hypothesis-seed=N <tests>`` in ``tree``, its
        process group killed past ``timeout`` seconds.

        Every run starts without hypothesis examples saved by an earlier one, so a failure one
        mutant made hypothesis remember is never replayed against the next.
        """
        if self._stopped.is_set():
            raise RuntimeError("the run was stopped")
        shutil.rmtree(self._hypothesis_directory(tree), ignore_errors=True)
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [self.python, "-m", "pytest", *self.flags(), *tests],
            cwd=tree,
            env=self.environment(tree),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own group: a timeout also ends what the tests started
        )
        self._live.add(process)
        try:
            output, _ = process.communicate(timeout=timeout)
            returncode: int | None = process.returncode
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            returncode = None
        finally:
            self._live.discard(process)
        return PytestRun(returncode, time.monotonic() - started, output)


def last_line(output: str) -> str:
    """The last non-empty line (pytest's summary: how many passed, in how long)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""


def first_failure(output: str) -> str:
    """The first ``FAILED``/``ERROR`` line of a pytest summary, else its last line."""
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.strip()[:200]
    return last_line(output)


def failing_test(output: str) -> str | None:
    """The node id of the first ``FAILED``/``ERROR`` line, e.g. ``tests/x.py::test_y[a b]``."""
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            node = line.split(" ", 1)[1].split(" - ", 1)[0].strip()
            return node or None
    return None


def mutate_and_run(
    mutant: Mutant, runner: Runner, tree: Path, timeout: float, *, confirm: bool
) -> tuple[str, PytestRun, str]:
    """Apply ``mutant`` in ``tree``, run its tests, restore the file: (status, run, detail).

    With ``confirm``, a kill is checked by running the test that failed once more on the
    restored file: when it fails there too, the mutant is FLAKY, not KILLED.
    """
    target = tree / mutant.file
    original = target.read_text(encoding="utf-8")
    if original.count(mutant.old) != 1:  # checked up front; the restore below keeps it so
        raise RuntimeError(f"{target} changed under the run")
    try:
        target.write_text(original.replace(mutant.old, mutant.new, 1), encoding="utf-8")
        run = runner.pytest(tree, mutant.tests, timeout)
    finally:
        target.write_text(original, encoding="utf-8")
    if run.returncode is None:
        return KILLED, run, f"timeout after {timeout:.0f} s"
    if run.returncode == 0:
        return SURVIVED, run, last_line(run.output)
    if run.returncode not in _KILLING_CODES and run.returncode > 0:
        return INVALID, run, f"pytest exit {run.returncode}: {first_failure(run.output)}"
    detail = first_failure(run.output)
    node = failing_test(run.output)
    if confirm and node is not None:
        again = runner.pytest(tree, (node,), timeout)
        if again.returncode != 0:
            return FLAKY, run, f"{detail} (fails unmutated too)"
    return KILLED, run, detail


# --- running in parallel ---------------------------------------------------------------------


def in_parallel(items: Sequence[T], trees: Sequence[Path], work: Callable[[T, Path], R]) -> list[R]:
    """``work(item, tree)`` for every item, one thread per tree, each item on a free tree;
    results in the order of ``items``."""
    pending: queue.Queue[tuple[int, T]] = queue.Queue()
    for index, item in enumerate(items):
        pending.put((index, item))
    results: dict[int, R] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(tree: Path) -> None:
        while not errors:
            try:
                index, item = pending.get_nowait()
            except queue.Empty:
                return
            try:
                result = work(item, tree)
            except BaseException as error:
                with lock:
                    errors.append(error)
                return
            with lock:
                results[index] = result

    threads = [threading.Thread(target=worker, args=(tree,), daemon=True) for tree in trees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [results[index] for index in range(len(items))]


def baseline(
    runner: Runner, trees: Sequence[Path], selections: Sequence[tuple[str, ...]]
) -> dict[tuple[str, ...], float]:
    """Seconds each selection takes unmutated; exits when one does not pass."""

    def check(selection: tuple[str, ...], tree: Path) -> float:
        run = runner.pytest(tree, selection, BASELINE_TIMEOUT)
        shown = " ".join(selection)
        if run.returncode != 0:
            tail = "\n".join(run.output.splitlines()[-30:])
            raise SystemExit(
                f"mutate: the unmutated tree does not pass {shown!r} "
                f"(exit {run.returncode}):\n{tail}"
            )
        print(f"baseline passes: {shown} ({run.seconds:.1f} s)", flush=True)
        return run.seconds

    return dict(zip(selections, in_parallel(selections, trees, check), strict=True))


# --- reporting -------------------------------------------------------------------------------


def summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Counts, the kill rate and the survivors' ids.

    The rate is killed / (killed + survived) over the mutants not marked equivalent; flaky and
    invalid ones are left out of it and counted on their own.
    """
    counted = [o for o in outcomes if o.mutant.equivalent is None]
    killed = [o for o in counted if o.status == KILLED]
    survived = [o for o in counted if o.status == SURVIVED]
    judged = len(killed) + len(survived)
    return {
        "killed": len(killed),
        "survived": len(survived),
        "kill_rate": round(100.0 * len(killed) / judged, 1) if judged else 0.0,
        "equivalent": sum(1 for o in outcomes if o.mutant.equivalent and o.status != INVALID),
        "flaky": sum(1 for o in counted if o.status == FLAKY),
        "invalid": sum(1 for o in outcomes if o.status == INVALID),
        "survivors": [o.mutant.id for o in survived],
    }


def outcome_line(outcome: Outcome) -> str:
    mutant = outcome.mutant
    line = f"{mutant.id:<40} {outcome.status.upper():<8} {outcome.seconds:6.1f} s  {mutant.file}"
    line += " (marked equivalent)" if mutant.equivalent else ""
    return line + (f"  [{outcome.detail}]" if outcome.detail else "")


def report(outcomes: Sequence[Outcome], totals: dict[str, Any]) -> str:
    lines = [
        f"{totals['killed']} killed, {totals['survived']} survived "
        f"(kill rate {totals['kill_rate']:.1f}%)"
    ]
    groups = (
        ("survivors", [o for o in outcomes if o.status == SURVIVED and not o.mutant.equivalent]),
        ("marked equivalent (not counted)", [o for o in outcomes if o.mutant.equivalent]),
        (
            "flaky: the failing test fails unmutated too (not counted)",
            [o for o in outcomes if o.status == FLAKY and not o.mutant.equivalent],
        ),
        ("invalid (not counted)", [o for o in outcomes if o.status == INVALID]),
    )
    for title, chosen in groups:
        if not chosen:
            continue
        lines.append(f"{title}:")
        for outcome in chosen:
            mutant = outcome.mutant
            lines.append(f"  {mutant.id} ({mutant.file}, {outcome.status})")
            lines.append(f"      - {mutant.old.strip()}")
            lines.append(f"      + {mutant.new.strip()}")
            if mutant.equivalent:
                lines.append(f"      why equivalent: {mutant.equivalent}")
            if outcome.status in (FLAKY, INVALID):
                lines.append(f"      {outcome.detail}")
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Apply one-line bugs to the committed tree, one at a time, and run tests."
    )
    parser.add_argument("--mutants", type=Path, default=DEFAULT_MUTANTS, help="the mutant list")
    parser.add_argument("--out", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--rev", default="HEAD", help="the revision to mutate (default HEAD)")
    parser.add_argument("--repo", type=Path, default=REPO, help="the git repository")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument(
        "--timeout",
        type=float,
        help=f"seconds per mutant (default {TIMEOUT_FACTOR}x its selection's unmutated time, "
        f"at least {MIN_TIMEOUT:.0f})",
    )
    parser.add_argument("--python", default=sys.executable, help="the interpreter for pytest")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument(
        "--no-confirm",
        dest="confirm",
        action="store_false",
        help="do not re-run a failing test unmutated to tell kills from flaky tests",
    )
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these mutants")
    parser.add_argument(
        "--tests",
        metavar="SELECTION",
        help="run every mutant against this pytest selection instead of its own (space-separated "
        "paths, and options such as --ignore=PATH)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch trees")
    arguments = parser.parse_args(argv)
    if arguments.jobs < 1:
        parser.error("--jobs must be at least 1")
    return arguments


def choose(mutants: list[Mutant], arguments: argparse.Namespace) -> list[Mutant]:
    """The mutants ``--only`` names (all by default), with ``--tests`` as their selection."""
    if arguments.only:
        missing = sorted(set(arguments.only) - {m.id for m in mutants})
        if missing:
            raise MutantListError(f"no mutant named {', '.join(missing)}")
        mutants = [m for m in mutants if m.id in arguments.only]
    if arguments.tests:
        mutants = [dataclasses.replace(m, tests=tuple(arguments.tests.split())) for m in mutants]
    return mutants


def run_all(
    mutants: Sequence[Mutant], arguments: argparse.Namespace, commit: str, runner: Runner
) -> tuple[list[Outcome], int]:
    """Every mutant's outcome, in list order, and how many trees ran them."""
    scratch = runner.scratch
    trees = [scratch / f"tree-{n}" for n in range(max(1, min(arguments.jobs, len(mutants))))]
    extract_tree(arguments.repo, commit, trees[0])
    for tree in trees[1:]:
        shutil.copytree(trees[0], tree, symlinks=True)
    for tree in trees:
        runner.check_imports(tree)

    invalid = {m.id: reason for m in mutants if (reason := problem(m, trees[0])) is not None}
    runnable = [m for m in mutants if m.id not in invalid]
    selections = list(dict.fromkeys(m.tests for m in runnable))
    durations = baseline(runner, trees, selections)
    print(f"running {len(runnable)} mutants, {len(trees)} at a time", flush=True)
    lock = threading.Lock()
    done = [0]

    def run_one(mutant: Mutant, tree: Path) -> Outcome:
        limit = arguments.timeout or max(MIN_TIMEOUT, TIMEOUT_FACTOR * durations[mutant.tests])
        status, run, detail = mutate_and_run(mutant, runner, tree, limit, confirm=arguments.confirm)
        outcome = Outcome(mutant, status, run.seconds, run.returncode, detail)
        with lock:
            done[0] += 1
            print(f"[{done[0]:>3}/{len(runnable)}] {outcome_line(outcome)}", flush=True)
        return outcome

    finished = {o.mutant.id: o for o in in_parallel(runnable, trees, run_one)}
    outcomes = [
        finished.get(m.id) or Outcome(m, INVALID, 0.0, None, invalid.get(m.id, "")) for m in mutants
    ]
    return outcomes, len(trees)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        mutants = choose(load_mutants(arguments.mutants), arguments)
    except (MutantListError, tomllib.TOMLDecodeError, OSError) as error:
        print(f"mutate: {error}", file=sys.stderr)
        return 2
    # SIGTERM (and SIGINT, as KeyboardInterrupt) unwind through the cleanup below.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    started = time.monotonic()
    commit = resolve(arguments.repo, arguments.rev)
    print(f"mutating {arguments.rev} = {commit}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="mutate-"))
    runner = Runner(arguments.python, arguments.seed, scratch)
    try:
        outcomes, jobs = run_all(mutants, arguments, commit, runner)
    finally:
        runner.stop()  # on an interruption, nothing keeps running after us
        if arguments.keep:
            print(f"scratch trees kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    wall = time.monotonic() - started
    totals = summary(outcomes)
    print()
    print(report(outcomes, totals))
    print(f"wall time {wall:.0f} s, {jobs} jobs, commit {commit[:12]}")
    if arguments.out:
        document = {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "revision": arguments.rev,
            "commit": commit,
            "command": " ".join(["scripts/mutate.py", *(sys.argv[1:] if argv is None else argv)]),
            "python": sys.version.split()[0],
            "jobs": jobs,
            "wall_seconds": round(wall, 1),
            "pytest_flags": [*PYTEST_FLAGS, f"--hypothesis-seed={arguments.seed}"],
            **totals,
            "mutants": [o.as_json() for o in outcomes],
        }
        arguments.out.parent.mkdir(parents=True, exist_ok=True)
        arguments.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
