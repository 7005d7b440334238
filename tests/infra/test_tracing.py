"""Tracing per stage: Lambda active tracing and the X-Ray SDK only where ``tracing.enabled``."""

from __future__ import annotations

import pytest

from chatmod.core import constants
from stacks.config import ConfigError, load_stage_config
from tests.infra.test_stack import (
    SERVICES,
    actions_of,
    chatmod_layers,
    function_by_service,
    function_statements,
)
from tests.support.cdk_app import cdk_context, deep_merge


def variables(template, service):
    _, function = function_by_service(template, service)
    return function["Properties"]["Environment"]["Variables"]


def layer_ids(template, service):
    _, function = function_by_service(template, service)
    return [layer["Ref"] for layer in function["Properties"]["Layers"]]


def test_shipped_stages_leave_sdk_tracing_off():
    for stage in ("dev", "prod"):
        _, config = load_stage_config(cdk_context(), stage)

        assert config.tracing.enabled is False


@pytest.mark.parametrize("stage", ["dev_template", "prod_template"])
@pytest.mark.parametrize("service", SERVICES)
def test_tracing_off_disables_active_tracing_and_the_sdk(request, stage, service):
    template = request.getfixturevalue(stage)
    _, function = function_by_service(template, service)

    assert "TracingConfig" not in function["Properties"]
    assert not {a for a in actions_of(function_statements(template, service))
                if a.startswith("xray:")}  # fmt: skip
    assert variables(template, service)[constants.ENV_POWERTOOLS_TRACE_DISABLED] == "true"
    assert variables(template, service)[constants.ENV_POWERTOOLS_TRACER_CAPTURE_RESPONSE] == "false"
    assert variables(template, service)[constants.ENV_POWERTOOLS_TRACER_CAPTURE_ERROR] == "false"
    assert len(layer_ids(template, service)) == 1
    assert len(chatmod_layers(template)) == 1


@pytest.mark.parametrize("service", SERVICES)
def test_tracing_on_adds_the_sdk_layer_and_never_captures_responses_or_errors(
    alt_template, service
):
    _, function = function_by_service(alt_template, service)
    env = variables(alt_template, service)
    layers = chatmod_layers(alt_template)

    assert function["Properties"]["TracingConfig"] == {"Mode": "Active"}
    assert {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} <= actions_of(
        function_statements(alt_template, service)
    )
    assert env[constants.ENV_POWERTOOLS_TRACE_DISABLED] == "false"
    assert env[constants.ENV_POWERTOOLS_TRACER_CAPTURE_RESPONSE] == "false"
    assert env[constants.ENV_POWERTOOLS_TRACER_CAPTURE_ERROR] == "false"
    assert len(layers) == 2
    assert sorted(layer_ids(alt_template, service)) == sorted(layers)
    tracing = [p for p in layers.values() if "X-Ray" in p["Properties"]["Description"]]
    assert len(tracing) == 1
    assert tracing[0]["Properties"]["CompatibleArchitectures"] == ["arm64"]


@pytest.mark.parametrize(
    ("tracing", "message"),
    [
        ({"enabled": "sometimes"}, "tracing.enabled"),
        ({"sampleRate": 0.5}, "tracing.sampleRate: unknown key"),
    ],
)
def test_invalid_tracing_settings_name_the_key(tracing, message):
    context = cdk_context()
    context["chatmod:stages"]["dev"] = deep_merge(
        context["chatmod:stages"]["dev"], {"tracing": tracing}
    )

    with pytest.raises(ConfigError, match=message):
        load_stage_config(context, "dev")
