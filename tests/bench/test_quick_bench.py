"""Benchmarks cannot rot: the quick run (what .ci/run runs) fails on a broken bench only."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.__main__ import available
from bench.__main__ import main as run_benches
from bench._measure import MISSED_TARGET, QUICK_ENV
from tests.support.cdk_app import ROOT


def test_ci_runs_the_quick_benches_once_after_the_tests():
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line.strip()]

    assert "make bench-quick" in lines
    assert lines.index("make bench-quick") > lines.index("make test")


@pytest.mark.parametrize(
    "name", ["token", "cost", "realtime", "console_review"]
)  # quick enough here; CI runs them all
def test_a_quick_bench_runs_to_its_end(name):
    result = subprocess.run(  # noqa: S603 (this interpreter, a fixed module)
        [sys.executable, "-m", f"bench.{name}_bench"],
        cwd=ROOT,
        env={**os.environ, QUICK_ENV: "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode in (0, MISSED_TARGET), result.stdout + result.stderr
    assert "targets:" in result.stdout


def test_every_bench_module_imports():
    for name in available():
        __import__(f"bench.{name}_bench")


@pytest.mark.parametrize(
    ("quick", "returncode", "expected"),
    [(True, MISSED_TARGET, 0), (False, MISSED_TARGET, 1), (True, 1, 1), (True, 0, 0)],
)
def test_quick_runs_report_missed_targets_but_fail_on_a_crash(
    monkeypatch, quick, returncode, expected
):
    monkeypatch.setattr(
        subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, returncode)
    )

    assert run_benches([*(["--quick"] if quick else []), "token"]) == expected
