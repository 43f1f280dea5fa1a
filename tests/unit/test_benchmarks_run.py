"""The benchmarks run as a user runs them (a plain command), briefly: a change that breaks one
fails here instead of at the next measurement."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.parametrize(
    "script", ["bench_login.py", "bench_tokens.py", "bench_connected_accounts.py"]
)
def test_a_benchmark_runs_and_compares_with_the_official_sdk(script: str, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--iterations", "3", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "official / ours" in done.stdout
    assert json.loads(out.read_text())


def test_the_redis_benchmark_runs(tmp_path: Path) -> None:
    """bench_redis.py starts its own redis-server (scripts/test.sh installs it)."""
    out, md = tmp_path / "redis.json", tmp_path / "redis.md"
    command = [sys.executable, str(BENCHMARKS / "bench_redis.py"), "--iterations", "3"]
    done = subprocess.run(
        [*command, "--json", str(out), "--md", str(md)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "handle_backchannel_logout" in done.stdout
    results = json.loads(out.read_text())["results"]
    assert results["reads"]["get_session"]["redis (sync)"]["redis_commands_per_call"] == {
        "HGET": 1.0
    }
    assert md.read_text().startswith("# Redis stores")


def test_the_hot_paths_benchmark_runs(tmp_path: Path) -> None:
    """bench_hot_paths.py, quick mode (about 5 s): every series and the size report."""
    out, md = tmp_path / "hot_paths.json", tmp_path / "hot_paths.md"
    command = [sys.executable, str(BENCHMARKS / "bench_hot_paths.py"), "--iterations", "3"]
    done = subprocess.run(
        [*command, "--json", str(out), "--md", str(md)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())["results"]
    assert set(results["get_session"]) == {"1 KB", "4 KB", "16 KB"}
    assert set(results["cached_access_token"]) == {"1 audience", "10 audiences", "50 audiences"}
    assert results["sizes"]["typical"]["official"]["sealed_bytes"] > 0
    assert md.read_text().startswith("# Hot paths")
