"""A short bounded load run against the local system: no errors, every message accounted for."""

from __future__ import annotations

import contextlib
import io

from bench.load_bench import report, run_load
from chatmod_local.system import LocalSystem


def test_a_bounded_load_run_has_no_errors_and_loses_nothing(
    system: LocalSystem, load_seconds: float
) -> None:
    # Given the local system, when 10 clients send for --load-seconds (2 s by default;
    # clean messages: this session's policy rejects, and strikes would ban the load's users)
    with contextlib.redirect_stdout(io.StringIO()):  # the handlers' log lines
        result = run_load(system.info(), clients=10, duration_s=load_seconds, flagged_every=None)
    # Then every request was answered as expected and every published serial is in Ably
    assert result.errors == [], report(result, 10)
    assert result.requests > 0
    assert result.lost == 0
    assert sum(len(serials) for serials in result.serials.values()) > 0
