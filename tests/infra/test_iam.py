"""Least privilege, asserted as a table: function → resource → the exact data-plane actions.

Only DynamoDB, SSM, SQS and KMS actions are tabled (logs and X-Ray are the same for
every function and checked in test_stack.py). Resources are named by what they are —
a table by the environment variable that names it, a parameter by its SSM name —
never by hashed logical ids.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from chatmod.core import constants
from tests.infra.conftest import ALTERNATIVE
from tests.infra.test_stack import (
    SERVICES,
    actions_of,
    function_statements,
    resources,
    table_id,
    text,
)

TABLED = ("dynamodb:", "ssm:", "sqs:", "kms:")

# --- what each function may do -------------------------------------------------------

# BanStore.load_sender: one BatchGetItem of bans and strikes.
PIPELINE_READS = {"dynamodb:BatchGetItem"}
# BanStore.commit_strike: TransactWriteItems of Puts (authorised as PutItem per table);
# record_event: PutItem on audit. Nothing in the pipeline updates, deletes or checks items.
PIPELINE_WRITES = {"dynamodb:PutItem"}
IDEMPOTENCY = {"dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
GET_PARAMETER = {"ssm:GetParameter"}
POLICY = "ssm:policy"
ABLY_KEY = "ssm:/chatmod/dev/ably-api-key"
BEFORE_PUBLISH_SECRET = "ssm:/chatmod/dev/before-publish-secret"
JUDGED_KEY = "ssm:/chatmod/dev/judged-key"

PIPELINE = {
    "bans": PIPELINE_READS | PIPELINE_WRITES,
    "strikes": PIPELINE_READS | PIPELINE_WRITES,
    "audit": PIPELINE_WRITES,
    POLICY: GET_PARAMETER,
}

DEV: dict[str, dict[str, set[str]]] = {
    # Verifies x-chatmod-judged with the judged key: never with the secret Ably holds.
    "before-publish": {
        **PIPELINE,
        BEFORE_PUBLISH_SECRET: GET_PARAMETER,
        JUDGED_KEY: GET_PARAMETER,
    },
    # Signs x-chatmod-judged (no double moderation); cannot read the before-publish secret.
    "publish": {**PIPELINE, ABLY_KEY: GET_PARAMETER, JUDGED_KEY: GET_PARAMETER},
    # Verifies x-chatmod-judged; cannot read the before-publish secret.
    "async-moderation": {
        **PIPELINE,
        "idempotency": IDEMPOTENCY,
        ABLY_KEY: GET_PARAMETER,
        JUDGED_KEY: GET_PARAMETER,
        "sqs:ingest": {
            "sqs:ChangeMessageVisibility",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
        },
    },
    "token": {"bans": {"dynamodb:GetItem"}, POLICY: GET_PARAMETER, ABLY_KEY: GET_PARAMETER},
    "moderator": {
        "bans": {
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Scan",
        },
        "strikes": {"dynamodb:DeleteItem"},  # unban clears the strike ladder's memory
        "audit": {"dynamodb:PutItem", "dynamodb:Query"},
        "audit/index/byTime": {"dynamodb:Query"},
        POLICY: GET_PARAMETER,
        ABLY_KEY: GET_PARAMETER,
    },
    # Reads the bans stream (its event source), revokes through Ably, audits each revocation.
    "ban-revoker": {
        "bans/stream": {
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
        },
        "*": {"dynamodb:ListStreams"},  # no resource-level permission
        "audit": {"dynamodb:PutItem"},
        "sqs:ban-revocation-failures": {
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:SendMessage",
        },
        POLICY: GET_PARAMETER,
        ABLY_KEY: GET_PARAMETER,
    },
}


def alt_expected() -> dict[str, dict[str, set[str]]]:
    """The alternative stage adds a provider key to the moderating functions and a KMS key."""
    hive_key = "ssm:" + ALTERNATIVE["secrets"]["providerKeys"]["hive"]
    kms_key = "kms:" + ALTERNATIVE["secrets"]["kmsKeyArn"]
    expected = {service: {r: set(a) for r, a in grants.items()} for service, grants in DEV.items()}
    for service in ("before-publish", "publish", "async-moderation"):
        expected[service][hive_key] = set(GET_PARAMETER)
    for grants in expected.values():
        if any(r.startswith("ssm:/") for r in grants):  # reads a SecureString
            grants[kms_key] = {"kms:Decrypt"}
    return expected


# --- naming resources by what they are -------------------------------------------------


def resource_names(template: Template) -> dict[str, str]:
    """Rendered resource (JSON) → a readable name, for every resource a grant can name."""
    names: dict[str, str] = {}
    for name, env_var in [
        ("bans", constants.ENV_BANS_TABLE),
        ("strikes", constants.ENV_STRIKES_TABLE),
        ("audit", constants.ENV_AUDIT_TABLE),
        ("idempotency", constants.ENV_IDEMPOTENCY_TABLE),
    ]:
        logical_id = table_id(template, env_var)
        names[text({"Fn::GetAtt": [logical_id, "Arn"]})] = name
        names[text({"Fn::GetAtt": [logical_id, "StreamArn"]})] = f"{name}/stream"
        for index in (constants.AUDIT_BY_TIME_INDEX,):
            index_arn = {"Fn::Join": ["", [{"Fn::GetAtt": [logical_id, "Arn"]}, f"/index/{index}"]]}
            names[text(index_arn)] = f"{name}/index/{index}"
    for logical_id, queue in resources(template, "AWS::SQS::Queue").items():
        names[text({"Fn::GetAtt": [logical_id, "Arn"]})] = "sqs:" + queue_role(
            template, logical_id, queue
        )
    (policy_id,) = resources(template, "AWS::SSM::Parameter")
    names[text(ssm_arn({"Ref": policy_id}))] = POLICY
    return names


def queue_role(template: Template, logical_id: str, queue: dict[str, Any]) -> str:
    if "RedrivePolicy" in queue["Properties"]:
        return "ingest"
    arn = {"Fn::GetAtt": [logical_id, "Arn"]}
    for mapping in resources(template, "AWS::Lambda::EventSourceMapping").values():
        destination = mapping["Properties"].get("DestinationConfig", {}).get("OnFailure", {})
        if destination.get("Destination") == arn:
            return "ban-revocation-failures"
    return "dead-letter"


def ssm_arn(name_part: Any) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":ssm:",
                {"Ref": "AWS::Region"},
                ":",
                {"Ref": "AWS::AccountId"},
                ":parameter" if isinstance(name_part, dict) else f":parameter{name_part}",
                *([name_part] if isinstance(name_part, dict) else []),
            ],
        ]
    }


def name_of(resource: Any, names: dict[str, str]) -> str:
    rendered = text(resource)
    if rendered in names:
        return names[rendered]
    if isinstance(resource, str):
        return ("kms:" + resource) if ":kms:" in resource else resource
    if isinstance(resource, dict) and "Fn::Join" in resource:
        parts = resource["Fn::Join"][1]
        literal = [p for p in parts if isinstance(p, str) and p.startswith(":parameter/")]
        if len(literal) == 1 and text(ssm_arn(literal[0].removeprefix(":parameter"))) == rendered:
            return "ssm:" + literal[0].removeprefix(":parameter")
    raise AssertionError(f"unrecognised resource {rendered}")


def grants_of(template: Template, service: str) -> dict[str, set[str]]:
    """Resource name → the DynamoDB/SSM/SQS/KMS actions ``service``'s role holds on it."""
    names = resource_names(template)
    grants: dict[str, set[str]] = {}
    for statement in function_statements(template, service):
        assert statement["Effect"] == "Allow"
        actions = {a for a in actions_of([statement]) if a.startswith(TABLED)}
        if not actions:
            continue
        targets = statement["Resource"]
        for target in targets if isinstance(targets, list) else [targets]:
            grants.setdefault(name_of(target, names), set()).update(actions)
    return grants


# --- the tests -------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_each_function_holds_exactly_the_actions_its_handler_calls(dev_template, service):
    assert grants_of(dev_template, service) == DEV[service]


@pytest.mark.parametrize("service", SERVICES)
def test_provider_keys_and_the_customer_key_go_only_where_they_are_read(alt_template, service):
    assert grants_of(alt_template, service) == alt_expected()[service]


def test_comprehend_is_granted_only_to_the_moderating_functions(alt_template):
    for service in SERVICES:
        granted = "comprehend:DetectToxicContent" in actions_of(
            function_statements(alt_template, service)
        )
        assert granted is (service in ("before-publish", "publish", "async-moderation"))


def test_every_dynamodb_action_granted_is_an_iam_action(dev_template):
    # cfn-lint W3037: TransactWriteItems/TransactGetItems are API calls, not IAM actions.
    for service in SERVICES:
        actions = {a for grants in grants_of(dev_template, service).values() for a in grants}
        assert not {"dynamodb:TransactWriteItems", "dynamodb:TransactGetItems"} & actions, service


def test_no_writer_can_scan_or_batch_write_and_before_publish_holds_no_ably_key(dev_template):
    # Defect 7: before-publish sits behind an unauthenticated route.
    for service in SERVICES:
        actions = {a for grants in grants_of(dev_template, service).values() for a in grants}
        assert "dynamodb:BatchWriteItem" not in actions
        assert ("dynamodb:Scan" in actions) is (service == "moderator")
    assert ABLY_KEY not in grants_of(dev_template, "before-publish")
