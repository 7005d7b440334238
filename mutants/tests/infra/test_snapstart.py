"""snapStart (off by default): SnapStart versions behind a `live` alias that every invoker calls."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Template

from stacks.config import ConfigError, load_stage_config
from tests.infra.test_stack import SERVICES, function_by_service, resources
from tests.support.cdk_app import cdk_context, deep_merge, make_app, synth_template


@pytest.fixture(scope="module")
def snap_template() -> Template:
    return synth_template("snap", {"snapStart": True})


def alias_of(template: Template, function_id: str) -> str:
    versions = {
        version_id
        for version_id, version in resources(template, "AWS::Lambda::Version").items()
        if version["Properties"]["FunctionName"] == {"Ref": function_id}
    }
    aliases = [
        alias_id
        for alias_id, alias in resources(template, "AWS::Lambda::Alias").items()
        if alias["Properties"]["FunctionName"] == {"Ref": function_id}
        and alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0] in versions
        and alias["Properties"]["Name"] == "live"
    ]
    assert len(aliases) == 1, f"expected one live alias on a version of {function_id}"
    return aliases[0]


@pytest.mark.parametrize("stage", ["dev_template", "prod_template"])
def test_snapstart_is_off_by_default(request, stage):
    template = request.getfixturevalue(stage)

    for service in SERVICES:
        _, function = function_by_service(template, service)
        assert "SnapStart" not in function["Properties"]
    assert resources(template, "AWS::Lambda::Alias") == {}
    assert resources(template, "AWS::Lambda::Version") == {}


@pytest.mark.parametrize("service", SERVICES)
def test_each_function_snapshots_published_versions_behind_a_live_alias(snap_template, service):
    function_id, function = function_by_service(snap_template, service)

    assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert function["Properties"]["Architectures"] == ["arm64"]
    assert function["Properties"]["Runtime"] == "python3.14"
    alias_of(snap_template, function_id)


def test_replaced_versions_are_deleted_so_no_stale_snapshot_stays_cached(snap_template):
    versions = resources(snap_template, "AWS::Lambda::Version").values()

    assert len(versions) == len(SERVICES)
    assert {v["DeletionPolicy"] for v in versions} == {"Delete"}


def test_routes_and_their_invoke_permissions_target_the_aliases(snap_template):
    aliases = set(resources(snap_template, "AWS::Lambda::Alias"))
    integrations = resources(snap_template, "AWS::ApiGatewayV2::Integration").values()
    permissions = [
        p["Properties"]
        for p in resources(snap_template, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]

    assert integrations
    assert {i["Properties"]["IntegrationUri"]["Ref"] for i in integrations} <= aliases
    assert permissions
    assert {p["FunctionName"]["Ref"] for p in permissions} <= aliases


@pytest.mark.parametrize("service", ["async-moderation", "ban-revoker"])
def test_the_queue_and_the_bans_stream_feed_the_aliases(snap_template, service):
    function_id, _ = function_by_service(snap_template, service)
    alias_id = alias_of(snap_template, function_id)
    targets = [
        json.dumps(mapping["Properties"]["FunctionName"])
        for mapping in resources(snap_template, "AWS::Lambda::EventSourceMapping").values()
    ]

    assert sum(json.dumps({"Ref": alias_id}) in target for target in targets) == 1
    assert not any(json.dumps({"Ref": function_id}) in target for target in targets)


def test_ably_may_invoke_only_the_before_publish_alias(snap_template):
    function_id, _ = function_by_service(snap_template, "before-publish")
    alias_id = alias_of(snap_template, function_id)
    invoke = [
        statement
        for policy in resources(snap_template, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Action"] == "lambda:InvokeFunction"
    ]

    assert [statement["Resource"] for statement in invoke] == [{"Ref": alias_id}]
    outputs = snap_template.find_outputs("BeforePublishFunctionArn")
    assert outputs["BeforePublishFunctionArn"]["Value"] == {"Ref": alias_id}


def test_snapstart_stage_passes_cdk_nag(tmp_path):
    app = make_app("snap", {"snapStart": True}, outdir=str(tmp_path))

    app.synth()  # raises ValidationFailed on any unacknowledged AwsSolutions error


def test_snapstart_setting_must_be_a_boolean():
    context = cdk_context()
    context["chatmod:stages"]["dev"] = deep_merge(
        context["chatmod:stages"]["dev"], {"snapStart": "sometimes"}
    )

    with pytest.raises(ConfigError, match="snapStart"):
        load_stage_config(context, "dev")
