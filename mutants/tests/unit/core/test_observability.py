"""Tracing is opt-in: with it off no handler imports the X-Ray SDK, and the decorators still work."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from chatmod.core.observability import NoOpTracer, build_tracer, tracing_enabled

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
