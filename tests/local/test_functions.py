"""A stack function run in this process (``chatmod_local.functions``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.metrics import MetricUnit

from chatmod.core.observability import metrics
from chatmod_local.functions import LocalFunction

FUNCTION = LocalFunction(
    logical_id="FunctionsProbe0A1B2C3D",
    handler_path=f"{__name__}.recording_handler",
    timeout_s=3,
    memory_mb=128,
)


@metrics.log_metrics
def recording_handler(event: dict[str, Any], context: Any) -> str:
    """What a chatmod handler records per decision: a metric, and the room's counts."""
    metrics.add_metric(name="Accepted", unit=MetricUnit.Count, value=1)
    metrics.add_metadata(key="roomCounts", value={event["room"]: {"o": {"accepted": 1}}})
    return "ok"


@pytest.fixture(autouse=True)
def no_metrics_left_over() -> Any:
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def test_with_metrics_off_nothing_recorded_stays_in_the_process_or_reaches_stdout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Defect: Powertools, disabled, neither prints nor clears at the end of an invocation;
    # every room's counts piled up for the life of the process (and into the next test's
    # metrics blob), and each 100th value of a metric was printed all the same.
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    answers = [FUNCTION.invoke({"room": f"room-{n}"}) for n in range(150)]

    assert answers == ["ok"] * 150
    assert (metrics.metric_set, metrics.metadata_set) == ({}, {})
    assert capsys.readouterr().out == ""


def test_with_metrics_on_each_invocation_prints_its_own_blob(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")

    FUNCTION.invoke({"room": "lobby"})
    FUNCTION.invoke({"room": "hall"})

    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [blob["roomCounts"] for blob in blobs] == [
        {"lobby": {"o": {"accepted": 1}}},
        {"hall": {"o": {"accepted": 1}}},
    ]
