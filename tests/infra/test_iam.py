"""Least privilege, both ways: each role holds exactly the actions its handler calls.

What a handler calls is observed, not written down: ``tests/support/iam_scenarios.py``
drives every handler through its main paths against moto and records each AWS call
as IAM authorises it (``tests/fixtures/iam/observed_calls.json``). Every observed call
must be granted on that resource, and every grant must be observed or appear, with
its reason, in ``NOT_CALLED_BY_THE_HANDLER`` (permissions Lambda itself uses on the
function's behalf, and fallbacks moto cannot provoke).

Only DynamoDB, SSM, SQS and KMS actions are tabled (logs and X-Ray are the same for
every function and checked in test_stack.py). Resources are named by what they are —
a table by the environment variable that names it, a parameter by its SSM name —
never by hashed logical ids.
"""

from __future__ import annotations

import json
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
from tests.support.iam_scenarios import FIXTURE

TABLED = ("dynamodb:", "ssm:", "sqs:", "kms:")

GET_PARAMETER = {"ssm:GetParameter"}
POLICY = "ssm:policy"
ABLY_KEY = "ssm:/chatmod/dev/ably-api-key"

Grants = dict[str, set[str]]

# --- what each function may do: what its handler was seen to call ---------------------

#: Function → resource → the IAM actions its handler called on the paths
#: ``tests/support/iam_scenarios.py`` drives (``make iam-calls`` re-records it;
#: ``tests/handlers/test_observed_calls.py`` fails while it is stale).
OBSERVED: dict[str, Grants] = {
    function: {resource: set(actions) for resource, actions in grants.items()}
    for function, grants in json.loads(FIXTURE.read_text(encoding="utf-8")).items()
}

#: Needed, but not called by handler code the tests can reach, each with its reason.
NOT_CALLED_BY_THE_HANDLER: dict[str, dict[str, tuple[set[str], str]]] = {
    "async-moderation": {
        "idempotency": (
            {"dynamodb:GetItem"},
            "Powertools idempotency reads the record when a conditional PutItem fails "
            "without returning it (ReturnValuesOnConditionCheckFailure unavailable); "
            "Powertools documents GetItem as required, and moto always returns the item",
        ),
        "sqs:ingest": (
            {
                "sqs:ChangeMessageVisibility",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ReceiveMessage",
            },
            "Lambda's SQS event source mapping polls with the function's role "
            "(CDK's SqsEventSource grants grantConsumeMessages)",
        ),
    },
    "ban-revoker": {
        "bans/stream": (
            {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"},
            "Lambda's DynamoDB Streams event source mapping reads with the function's role",
        ),
        "*": (
            {"dynamodb:ListStreams"},
            "the same event source mapping; ListStreams has no resource-level permission",
        ),
        "sqs:ban-revocation-failures": (
            {"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"},
            "the event source mapping's on-failure destination sends with the function's "
            "role (CDK's SqsDlq grants grantSendMessages)",
        ),
    },
}


def expected_dev() -> dict[str, Grants]:
    """What each function holds on dev: what it calls, plus the justified rest."""
    expected = {
        function: {r: set(a) for r, a in grants.items()} for function, grants in OBSERVED.items()
    }
    for function, extra in NOT_CALLED_BY_THE_HANDLER.items():
        for resource, (actions, _reason) in extra.items():
            expected[function].setdefault(resource, set()).update(actions)
    return expected


DEV = expected_dev()


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
        ("reviews", constants.ENV_REVIEWS_TABLE),
        ("counts", constants.ENV_COUNTS_TABLE),
    ]:
        logical_id = table_id(template, env_var)
        names[text({"Fn::GetAtt": [logical_id, "Arn"]})] = name
        names[text({"Fn::GetAtt": [logical_id, "StreamArn"]})] = f"{name}/stream"
        for index in (
            constants.AUDIT_BY_TIME_INDEX,
            constants.REVIEWS_BY_ROOM_INDEX,
            constants.REVIEWS_BY_STATE_INDEX,
        ):
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


def _pairs(grants: Grants) -> set[tuple[str, str]]:
    return {(resource, action) for resource, actions in grants.items() for action in actions}


def test_every_function_was_observed():
    assert set(OBSERVED) == set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_every_call_a_handler_makes_is_granted_on_that_resource(dev_template, service):
    missing = _pairs(OBSERVED[service]) - _pairs(grants_of(dev_template, service))

    assert not missing, f"{service} calls these without a grant: {sorted(missing)}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_grant_is_called_by_the_handler_or_justified(dev_template, service):
    unused = _pairs(grants_of(dev_template, service)) - _pairs(DEV[service])

    assert not unused, f"{service} holds these but never calls them: {sorted(unused)}"


@pytest.mark.parametrize("service", SERVICES)
def test_each_function_holds_exactly_the_actions_its_handler_calls(dev_template, service):
    assert grants_of(dev_template, service) == DEV[service]


def test_every_justified_grant_is_one_the_handlers_really_do_not_call():
    # An entry the handlers now reach must leave the allow-list (it is then observed).
    for function, extra in NOT_CALLED_BY_THE_HANDLER.items():
        for resource, (actions, reason) in extra.items():
            assert reason
            assert not actions & OBSERVED[function].get(resource, set()), (function, resource)


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
