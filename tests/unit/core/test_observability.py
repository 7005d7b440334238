"""Tracing is opt-in: with it off no handler imports the X-Ray SDK, and the decorators still work.

Metrics: a blob goes out whole (values with their metadata, once) before it fills.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.metrics import MetricUnit

from chatmod.core.observability import NoOpTracer, build_tracer, metrics, tracing_enabled

HANDLERS = [
    "chatmod.handlers.async_moderation",
    "chatmod.handlers.before_publish",
    "chatmod.handlers.moderator",
    "chatmod.handlers.publish",
    "chatmod.handlers.token",
]
IN_LAMBDA = {"LAMBDA_TASK_ROOT": "/var/task", "AWS_LAMBDA_FUNCTION_NAME": "chatmod-test"}


def run_fresh(code: str, env: dict[str, str]) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter with ``env`` added; it prints one JSON object."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, False),  # outside Lambda: Powertools would not trace either
        (IN_LAMBDA, True),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "1"}, False),
        ({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
        ({**IN_LAMBDA, "AWS_SAM_LOCAL": "true"}, False),
    ],
)
def test_tracing_follows_powertools_rule(env, expected):
    assert tracing_enabled(env) is expected


def test_when_tracing_is_off_the_tracer_is_a_no_op():
    assert isinstance(build_tracer({**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"}), NoOpTracer)


def test_no_op_decorators_return_the_function_itself_in_every_form():
    tracer = NoOpTracer()

    def handler(event, context):
        return {"event": event}

    assert tracer.capture_lambda_handler(handler) is handler
    assert tracer.capture_lambda_handler(capture_response=False)(handler) is handler
    assert tracer.capture_method(handler) is handler
    assert tracer.capture_method(capture_response=False, capture_error=False)(handler) is handler
    tracer.put_annotation("ColdStart", value=True)
    tracer.put_metadata("key", {"a": 1}, namespace="chatmod")


def test_no_handler_imports_the_xray_sdk_when_tracing_is_off():
    imports = "; ".join(f"import {module}" for module in HANDLERS)
    found = run_fresh(
        f"import json, sys; {imports}; from chatmod.core.observability import tracer; "
        "print(json.dumps({'xray': sorted(m for m in sys.modules if m.startswith('aws_xray')), "
        "'tracer': type(tracer).__name__}))",
        {**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"},
    )

    assert found == {"xray": [], "tracer": "NoOpTracer"}


def test_when_tracing_is_on_handlers_get_powertools_tracer():
    # In a fresh process: Powertools' Tracer patches botocore and httpx process-wide.
    found = run_fresh(
        "import json, sys; import chatmod.handlers.publish; "
        "from chatmod.core.observability import tracer; "
        "print(json.dumps({'tracer': type(tracer).__module__ + '.' + type(tracer).__name__, "
        "'xray': 'aws_xray_sdk.core' in sys.modules}))",
        {**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"},
    )

    assert found == {"tracer": "aws_lambda_powertools.tracing.tracer.Tracer", "xray": True}


def test_tracing_on_without_the_sdk_runs_untraced_and_says_so():
    # sys.modules[name] = None makes "import aws_xray_sdk" fail as if it were not installed.
    found = run_fresh(
        "import json, sys; sys.modules['aws_xray_sdk'] = None; "
        "sys.modules['aws_xray_sdk.core'] = None; "
        "from chatmod.core.observability import tracer; "
        "print(json.dumps({'tracer': type(tracer).__name__}))",
        {**IN_LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"},
    )

    assert found == {"tracer": "NoOpTracer"}


# --- metrics: a blob is flushed whole, before Powertools would print it by itself ----------


@pytest.fixture
def empty_blob() -> Iterator[None]:
    metrics.clear_metrics()
    yield
    metrics.clear_metrics()


def printed_blobs(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]


@pytest.mark.usefixtures("empty_blob")
def test_a_metrics_99th_value_stays_in_the_blob_and_its_100th_starts_a_new_one(capsys):
    metrics.add_metadata(key="roomCounts", value={"lobby": 99})
    for _ in range(99):
        metrics.add_metric(name="Accepted", unit=MetricUnit.Count, value=1)
    assert printed_blobs(capsys) == []

    metrics.add_metric(name="Accepted", unit=MetricUnit.Count, value=1)

    (full,) = printed_blobs(capsys)
    assert full["Accepted"] == [1.0] * 99
    assert full["roomCounts"] == {"lobby": 99}
    # the metadata went out with its values, once: the next blob starts without it
    assert metrics.metadata_set == {}
    assert len(metrics.metric_set["Accepted"]["Value"]) == 1


@pytest.mark.usefixtures("empty_blob")
def test_a_blobs_100th_metric_starts_a_new_one(capsys):
    metrics.add_metadata(key="roomCounts", value={"lobby": 1})
    for index in range(99):
        metrics.add_metric(name=f"Rule.r{index}", unit=MetricUnit.Count, value=1)
    assert printed_blobs(capsys) == []

    metrics.add_metric(name="Rule.r99", unit=MetricUnit.Count, value=1)

    (full,) = printed_blobs(capsys)
    assert len(full["_aws"]["CloudWatchMetrics"][0]["Metrics"]) == 99
    assert full["roomCounts"] == {"lobby": 1}
    assert list(metrics.metric_set) == ["Rule.r99"]


@pytest.mark.usefixtures("empty_blob")
def test_disabled_a_full_blob_is_let_go_without_a_line(capsys, monkeypatch):
    # (Powertools, disabled, prints the 100th value's blob all the same)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    metrics.add_metadata(key="roomCounts", value={"lobby": 100})
    for _ in range(100):
        metrics.add_metric(name="Accepted", unit=MetricUnit.Count, value=1)

    assert capsys.readouterr().out == ""
    assert metrics.metadata_set == {}
    assert len(metrics.metric_set["Accepted"]["Value"]) == 1
