"""make ably-rules: the Control API requests, checked by a stub held to Ably's OpenAPI document."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.support.control_api_stub import ControlApiStub, schema_errors
from tests.tools.conftest import (
    ACCOUNT,
    FUNCTION_NAME,
    OUTPUTS,
    QUEUE_NAME,
    REGION,
    STAGE,
    stage_config,
)
from tools.ably_rules import AblyRulesError, Targets, desired_rules, provision
from tools.stage import StackNotDeployedError

TOKEN = "control-token"
SECRET = "s3cret-before-publish-value-0123456789"


@pytest.fixture
def stub():
    with ControlApiStub(token=TOKEN, app_id="app456") as stub:
        yield stub


def run(aws, stub, config=None, *, token=TOKEN, dry_run=False, lines=None):
    out = lines if lines is not None else []
    return provision(
        STAGE,
        config or stage_config(),
        cloudformation=aws.client("cloudformation"),
        ssm=aws.client("ssm"),
        token=token,
        dry_run=dry_run,
        base_url=stub.url,
        client=httpx.Client(timeout=5),
        out=out.append,
    )


def by_type(stub):
    return {rule["ruleType"]: rule for rule in stub.rules.values()}


def test_creates_the_sqs_and_lambda_before_publish_rules_valid_against_the_document(aws, stub):
    # Given a deployed stack and an app without rules
    # When the rules are provisioned with the default settings (Lambda transport)
    actions = run(aws, stub)

    # Then both rules exist, every request body was valid for Ably's Control API
    assert stub.invalid == []
    assert [(a.verb, a.kind) for a in actions] == [
        ("create", "queue"),
        ("create", "before-publish-lambda"),
    ]
    rules = by_type(stub)
    assert rules["aws/sqs"]["target"] == {
        "region": REGION,
        "awsAccountId": ACCOUNT,
        "queueName": QUEUE_NAME,
        "authentication": {
            "authenticationMode": "assumeRole",
            "assumeRoleArn": OUTPUTS["AblySqsRoleArn"],
        },
        "enveloped": True,
        "format": "json",
    }
    assert rules["aws/sqs"]["source"] == {"channelFilter": "", "type": "channel.message"}
    before_publish = rules["aws/lambda/before-publish"]
    assert before_publish["invocationMode"] == "BEFORE_PUBLISH"
    assert before_publish["target"] == {
        "region": REGION,
        "functionName": FUNCTION_NAME,
        "authentication": {
            "authenticationMode": "assumeRole",
            "assumeRoleArn": OUTPUTS["BeforePublishInvokeRoleArn"],
        },
    }
    # dev's policy: retryTimeoutMs 1000, maxRetries 1, failedAction publish, 429 retry
    assert before_publish["beforePublishConfig"] == {
        "retryTimeout": 1000,
        "maxRetries": 1,
        "failedAction": "PUBLISH",
        "tooManyRequestsAction": "RETRY",
    }
    assert "chatRoomFilter" not in before_publish


def test_a_second_run_changes_nothing(aws, stub):
    # Given the rules were provisioned once
    run(aws, stub)
    ids = set(stub.rules)
    stub.requests.clear()

    # When the tool runs again with the same settings
    actions = run(aws, stub)

    # Then it only listed the rules: no duplicate, no update
    assert {a.verb for a in actions} == {"unchanged"}
    assert [method for method, _, _ in stub.requests] == ["GET"]
    assert set(stub.rules) == ids


def test_a_policy_change_updates_the_rule_in_place(aws, stub):
    # Given provisioned rules
    run(aws, stub)
    rule_id = by_type(stub)["aws/lambda/before-publish"]["id"]

    # When the stage's policy changes (room filter, retries, failed action defer)
    config = stage_config(
        {"moderation": {"maxRetries": 3, "failedAction": "defer", "roomFilter": "^vip-.*$"}}
    )
    run(aws, stub, config)

    # Then the same rule was PATCHed with a valid body
    assert stub.invalid == []
    rule = by_type(stub)["aws/lambda/before-publish"]
    assert rule["id"] == rule_id
    assert rule["beforePublishConfig"]["maxRetries"] == 3
    assert rule["beforePublishConfig"]["failedAction"] == "REJECT"  # defer: Ably fails closed
    assert rule["chatRoomFilter"] == "/^vip-.*$/"
    assert ("PATCH", f"/v1/apps/app456/rules/{rule_id}") in [(m, p) for m, p, _ in stub.requests]


def test_switching_to_http_replaces_the_lambda_rule_and_sends_the_secret_header(aws, stub):
    # Given a Lambda-transport rule and the before-publish secret in SSM
    run(aws, stub)
    aws.client("ssm").put_parameter(
        Name="/chatmod/dev/before-publish-secret", Value=SECRET, Type="SecureString"
    )
    lines: list[str] = []

    # When the stage switches to the HTTP transport
    run(aws, stub, stage_config({"ably": {"rules": {"beforePublish": "http"}}}), lines=lines)

    # Then the HTTP rule carries the URL and the Bearer secret; the Lambda rule is gone
    assert stub.invalid == []
    rules = by_type(stub)
    assert set(rules) == {"aws/sqs", "http/before-publish"}
    assert rules["http/before-publish"]["target"] == {
        "url": OUTPUTS["BeforePublishUrl"],
        "headers": [{"name": "authorization", "value": f"Bearer {SECRET}"}],
    }
    assert SECRET not in "\n".join(lines)


def test_a_custom_secret_header_carries_the_bare_secret(aws, stub):
    aws.client("ssm").put_parameter(
        Name="/chatmod/dev/before-publish-secret", Value=SECRET, Type="SecureString"
    )
    config = stage_config(
        {
            "ably": {"rules": {"beforePublish": "http", "queue": False}},
            "api": {"beforePublishSecretHeader": "x-chatmod-secret"},
        }
    )

    run(aws, stub, config)

    (rule,) = stub.rules.values()
    assert rule["target"]["headers"] == [{"name": "x-chatmod-secret", "value": SECRET}]


def test_rules_of_other_targets_are_left_alone(aws, stub):
    # Given the app has an SQS rule to another queue and a before-publish rule for another function
    foreign_sqs = stub.add_rule(
        {
            "ruleType": "aws/sqs",
            "requestMode": "single",
            "source": {"channelFilter": "^other", "type": "channel.message"},
            "target": {
                "region": REGION,
                "awsAccountId": ACCOUNT,
                "queueName": "someone-elses-queue",
                "authentication": {"authenticationMode": "assumeRole", "assumeRoleArn": "arn:x"},
            },
        }
    )

    # When chatmod's rules are provisioned with the queue rule off and no before-publish rule
    run(aws, stub, stage_config({"ably": {"rules": {"queue": False, "beforePublish": "none"}}}))

    # Then the foreign rule is untouched
    assert list(stub.rules) == [foreign_sqs["id"]]
    assert stub.rules[foreign_sqs["id"]] == foreign_sqs


def test_rules_the_settings_no_longer_want_are_deleted(aws, stub):
    run(aws, stub)

    run(aws, stub, stage_config({"ably": {"rules": {"queue": False, "beforePublish": "none"}}}))

    assert stub.rules == {}


def test_dry_run_prints_the_bodies_and_sends_nothing_but_the_listing(aws, stub):
    lines: list[str] = []

    actions = run(aws, stub, dry_run=True, lines=lines)

    printed = "\n".join(lines)
    assert [a.verb for a in actions] == ["create", "create"]
    assert [method for method, _, _ in stub.requests] == ["GET"]
    assert f"POST {stub.url}/apps/app456/rules  (queue)" in printed
    assert "Authorization: Bearer <redacted>" in printed
    assert TOKEN not in printed
    # the printed bodies are exactly what would be sent, and valid
    bodies = [json.loads(block) for block in _json_blocks(lines)]
    assert [b["ruleType"] for b in bodies] == ["aws/sqs", "aws/lambda/before-publish"]
    assert all(schema_errors("post", body) == [] for body in bodies)


def test_dry_run_of_the_http_transport_needs_no_secret_and_prints_none(aws, stub):
    lines: list[str] = []
    config = stage_config({"ably": {"rules": {"beforePublish": "http"}}})

    run(aws, stub, config, dry_run=True, token=None, lines=lines)

    printed = "\n".join(lines)
    assert "<redacted: before-publish secret from SSM>" in printed
    assert stub.requests == []  # without a token nothing is listed either


def test_a_rejected_token_is_reported_without_the_token(aws, stub):
    with pytest.raises(AblyRulesError) as raised:
        run(aws, stub, token="wrong-token-value")

    assert "HTTP 401" in str(raised.value)
    assert "wrong-token-value" not in str(raised.value)


def test_no_token_is_an_error_before_any_request(aws, stub):
    with pytest.raises(AblyRulesError, match="ABLY_ACCESS_TOKEN"):
        run(aws, stub, token=None)
    assert stub.requests == []


def test_the_http_transport_needs_the_secret_parameter(aws, stub):
    with pytest.raises(AblyRulesError, match="make secrets"):
        run(aws, stub, stage_config({"ably": {"rules": {"beforePublish": "http"}}}))


def test_a_stack_deployed_for_another_ably_app_is_refused(aws, stub):
    config = stage_config({"ably": {"appId": "otherapp"}})

    with pytest.raises(AblyRulesError, match="redeploy"):
        run(aws, stub, config)


def test_an_undeployed_stage_says_so(aws, stub):
    with pytest.raises(StackNotDeployedError, match="make deploy"):
        provision(
            "prod",
            stage_config(),
            cloudformation=aws.client("cloudformation"),
            ssm=aws.client("ssm"),
            token=TOKEN,
            base_url=stub.url,
        )


def test_the_stub_rejects_a_body_the_document_rejects(stub):
    # The schema check bites: a body missing what the document requires gets 400.
    targets = Targets.from_outputs(OUTPUTS, STAGE)
    body = desired_rules(stage_config(), targets, None)["queue"]
    del body["source"]["channelFilter"]
    body["target"]["authentication"] = {"authenticationMode": "assumeRole"}

    response = httpx.post(
        f"{stub.url}/apps/app456/rules", json=body, headers={"authorization": f"Bearer {TOKEN}"}
    )

    assert response.status_code == 400
    assert len(stub.invalid) == 1


def test_a_snapstart_alias_is_still_recognised_as_the_same_function():
    targets = Targets.from_outputs({**OUTPUTS, "BeforePublishFunctionName": "fn:live"}, STAGE)

    assert targets.owns(
        "before-publish-lambda",
        {
            "ruleType": "aws/lambda/before-publish",
            "target": {"functionName": "fn", "region": REGION},
        },
    )


def test_the_http_transport_on_a_stack_deployed_without_its_route_says_to_deploy_first():
    # The route (and BeforePublishUrl) exists only in a stage deployed for the HTTP transport.
    outputs = {k: v for k, v in OUTPUTS.items() if k != "BeforePublishUrl"}
    targets = Targets.from_outputs(outputs, STAGE)
    http = stage_config({"ably": {"rules": {"beforePublish": "http"}}})

    assert "before-publish-lambda" in desired_rules(stage_config(), targets, None)
    with pytest.raises(AblyRulesError, match="make deploy"):
        desired_rules(http, targets, "secret")


def _json_blocks(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("{")]


def test_make_ably_rules_refuses_placeholder_ably_ids(aws, capsys, monkeypatch):
    # Given cdk.json's dev stage still has REPLACE_ME Ably ids
    from tools.ably_rules import main

    monkeypatch.setenv("ABLY_ACCESS_TOKEN", "a-token-that-must-not-be-printed")

    # When `make ably-rules STAGE=dev` runs
    code = main(["--stage", "dev"])

    # Then it stops before any request, saying what to set, without the token
    err = capsys.readouterr().err
    assert code == 1
    assert "ably.accountId" in err
    assert "a-token-that-must-not-be-printed" not in err
