"""Where a stage deploys comes from its cdk.json settings, never from the machine that synthesized it."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.cdk_app import synth_template

REGION = re.compile(r"\b(?:[a-z]{2}(?:-gov)?-(?:north|south|east|west|central|northeast|"
                    r"northwest|southeast|southwest)-\d)\b")  # fmt: skip
ACCOUNT_IN_ARN = re.compile(r"arn:[\w-]*:[\w-]+:[\w-]*:(\d{12}):")
ABLY_AWS_ACCOUNT = "203461409171"  # the account Ably assumes chatmod's roles from


@pytest.fixture
def cli_environment(monkeypatch):
    # What the CDK CLI sets on a CI runner without credentials.
    monkeypatch.setenv("CDK_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "111111111111")


def text(template) -> str:
    return json.dumps(template.to_json())


def test_a_stage_with_a_region_names_only_that_region(cli_environment):
    # Given a stage pinned to eu-west-2, synthesized where the CLI defaults to us-east-1
    template = synth_template("prod", {"region": "eu-west-2", "account": "123456789012"})

    # Then the template has no other region literal, and no other account
    assert set(REGION.findall(text(template))) <= {"eu-west-2"}
    assert set(ACCOUNT_IN_ARN.findall(text(template))) <= {"123456789012", ABLY_AWS_ACCOUNT}


def test_a_stage_without_a_region_is_environment_agnostic(cli_environment):
    # Given the stage as cdk.json ships it (no account, no region)
    template = synth_template("dev")

    # Then nothing of the synthesizing machine leaks in: AWS::Region and AWS::AccountId instead
    assert REGION.findall(text(template)) == []
    assert "111111111111" not in text(template)
    assert '"Ref": "AWS::Region"' in text(template)
