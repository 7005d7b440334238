"""cdk-nag (AwsSolutions) runs on every synth; no stage has an unacknowledged error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aws_cdk import aws_sqs as sqs

from stacks.nag import acknowledge
from tests.infra.conftest import ALTERNATIVE
from tests.support.cdk_app import make_app


@pytest.mark.parametrize(("stage", "overrides"), [("dev", {}), ("prod", {}), ("alt", ALTERNATIVE)])
def test_every_stage_synthesizes_with_no_unacknowledged_nag_error(stage, overrides, tmp_path):
    app = make_app(stage, overrides, outdir=str(tmp_path))

    app.synth()  # raises ValidationFailed on any unacknowledged AwsSolutions error

    report = tmp_path / "validation-report.json"
    if report.exists():
        violations = [
            v
            for plugin in json.loads(report.read_text())["pluginReports"]
            for v in plugin["violations"]
            if v["severity"] == "error"
        ]
        assert violations == []


def test_an_unacknowledged_finding_fails_synth_and_names_the_rule(tmp_path):
    app = make_app("dev", outdir=str(tmp_path))
    stack = app.node.find_child("chatmod-dev")
    sqs.Queue(stack, "CarelessQueue")  # no DLQ, no TLS enforcement

    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()

    report = json.loads(Path(tmp_path, "validation-report.json").read_text())
    failing = {
        (v["ruleName"], c["constructPath"])
        for plugin in report["pluginReports"]
        for v in plugin["violations"]
        for c in v["violatingConstructs"]
    }
    assert ("AwsSolutions-SQS4", "chatmod-dev/CarelessQueue/Resource") in failing
    assert all(path.startswith("chatmod-dev/CarelessQueue") for _, path in failing)


def test_acknowledgements_need_a_specific_reason():
    app = make_app("dev")

    with pytest.raises(ValueError, match="needs a specific reason"):
        acknowledge(app, "AwsSolutions-SQS4", "ok")
