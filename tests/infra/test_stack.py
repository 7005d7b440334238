"""The synthesized stack has every resource and property the foundation promises."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from chatmod.core import constants
from chatmod.core.deployment import Deployment
from stacks.config import load_stage_config
from tests.support.cdk_app import cdk_context

SERVICES = (
    "async-moderation",
    "before-publish",
    "publish",
    "token",
    "moderator",
    "ban-revoker",
    "review-sweeper",
    "counter",
)
# The handler module of each function, where it is not named after the service.
HANDLER_MODULES = {"ban-revoker": "ban_stream"}


# --- helpers: find resources by what they are, never by hashed logical ids ----------


def resources(template: Template, type_: str) -> dict[str, dict[str, Any]]:
    return template.find_resources(type_)


def chatmod_functions(template: Template) -> dict[str, dict[str, Any]]:
    """The stack's own functions (not the CDK's provider functions, e.g. the console's deploy)."""
    return {
        logical_id: resource
        for logical_id, resource in resources(template, "AWS::Lambda::Function").items()
        if "POWERTOOLS_SERVICE_NAME"
        in resource["Properties"].get("Environment", {}).get("Variables", {})
    }


def chatmod_layers(template: Template) -> dict[str, dict[str, Any]]:
    """The stack's own layers (not the AWS CLI layer of the console's deployment)."""
    return {
        logical_id: layer
        for logical_id, layer in resources(template, "AWS::Lambda::LayerVersion").items()
        if layer["Properties"].get("Description") != "/opt/awscli/aws"
    }


def function_by_service(template: Template, service: str) -> tuple[str, dict[str, Any]]:
    matches = [
        (logical_id, resource)
        for logical_id, resource in chatmod_functions(template).items()
        if resource["Properties"]["Environment"]["Variables"].get("POWERTOOLS_SERVICE_NAME")
        == service
    ]
    assert len(matches) == 1, f"expected one {service} function"
    return matches[0]


def role_statements(template: Template, role_logical_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def function_statements(template: Template, service: str) -> list[dict[str, Any]]:
    _, function = function_by_service(template, service)
    role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return role_statements(template, role_id)


def actions_of(statements: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for statement in statements:
        value = statement["Action"]
        actions |= {value} if isinstance(value, str) else set(value)
    return actions


def text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def logical_id_of(template: Template, type_: str, predicate: Any) -> str:
    ids = [i for i, r in resources(template, type_).items() if predicate(r["Properties"])]
    assert len(ids) == 1, f"expected one {type_} matching"
    return ids[0]


def ingest_queue_id(template: Template) -> str:
    return logical_id_of(template, "AWS::SQS::Queue", lambda p: "RedrivePolicy" in p)


def dlq_id(template: Template) -> str:
    """The queue the ingest queue redrives to."""
    redrive = resources(template, "AWS::SQS::Queue")[ingest_queue_id(template)]["Properties"]
    return redrive["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]


def revocation_failure_queue_id(template: Template) -> str:
    """The queue the bans stream's event source sends records it gave up on to."""
    (mapping,) = [
        m["Properties"]
        for m in resources(template, "AWS::Lambda::EventSourceMapping").values()
        if "DestinationConfig" in m["Properties"]
    ]
    return mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]


def table_id(template: Template, env_var: str) -> str:
    """The table a function environment variable names (the same in every function)."""
    refs = {
        text(f["Properties"]["Environment"]["Variables"][env_var])
        for f in chatmod_functions(template).values()
    }
    assert len(refs) == 1
    return json.loads(refs.pop())["Ref"]


def stage_settings(stage: str) -> dict[str, Any]:
    return cdk_context()["chatmod:stages"][stage]


# --- SQS -------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_ingest_queue_has_sse_dlq_redrive_and_visibility_over_six_times_timeout(stage, request):
    template: Template = request.getfixturevalue(f"{stage}_template")
    ingest = stage_settings(stage)["ingest"]
    queues = resources(template, "AWS::SQS::Queue")
    assert len(queues) == 3  # ingest, its DLQ, and the ban revocation failure queue
    queue = queues[ingest_queue_id(template)]["Properties"]
    _, consumer = function_by_service(template, "async-moderation")

    assert queue["SqsManagedSseEnabled"] is True
    assert queues[dlq_id(template)]["Properties"]["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id(template), "Arn"]},
        "maxReceiveCount": ingest["maxReceiveCount"],
    }
    assert queue["VisibilityTimeout"] >= 6 * consumer["Properties"]["Timeout"]


@pytest.mark.parametrize("which", [ingest_queue_id, dlq_id, revocation_failure_queue_id])
def test_both_queues_refuse_requests_without_tls(dev_template, which):
    queue_id = which(dev_template)
    dev_template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": queue_id}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "sqs:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_async_function_drains_the_queue_with_configured_batching(stage, request):
    template: Template = request.getfixturevalue(f"{stage}_template")
    ingest = stage_settings(stage)["ingest"]
    async_id, _ = function_by_service(template, "async-moderation")

    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": async_id},
            "EventSourceArn": {"Fn::GetAtt": [ingest_queue_id(template), "Arn"]},
            "BatchSize": ingest["batchSize"],
            "MaximumBatchingWindowInSeconds": ingest["batchingWindowSeconds"],
            "ScalingConfig": {"MaximumConcurrency": ingest["maxConcurrency"]},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )


# --- bans enforced from the table ---------------------------------------------------------


def test_bans_table_streams_new_and_old_images(dev_template):
    props = resources(dev_template, "AWS::DynamoDB::Table")[
        table_id(dev_template, constants.ENV_BANS_TABLE)
    ]["Properties"]

    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    for env_var in (constants.ENV_STRIKES_TABLE, constants.ENV_AUDIT_TABLE):
        other = resources(dev_template, "AWS::DynamoDB::Table")[table_id(dev_template, env_var)]
        assert "StreamSpecification" not in other["Properties"]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_ban_revoker_reads_the_bans_stream_with_bounded_retries_and_a_failure_queue(stage, request):
    template: Template = request.getfixturevalue(f"{stage}_template")
    revoker_id, _ = function_by_service(template, "ban-revoker")
    bans_id = table_id(template, constants.ENV_BANS_TABLE)

    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "FunctionName": {"Ref": revoker_id},
            "EventSourceArn": {"Fn::GetAtt": [bans_id, "StreamArn"]},
            "StartingPosition": "LATEST",
            "BatchSize": 100,  # Ably's revokeTokens limit: one call per batch
            "MaximumRetryAttempts": 5,
            "BisectBatchOnFunctionError": True,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "MaximumRecordAgeInSeconds": 3600,  # revocable tokens live at most 1 h
            "DestinationConfig": {
                "OnFailure": {
                    "Destination": {"Fn::GetAtt": [revocation_failure_queue_id(template), "Arn"]}
                }
            },
            "FilterCriteria": {
                # Removals (unban, TTL) never revoke: they do not even invoke.
                "Filters": [{"Pattern": Match.serialized_json({"eventName": ["INSERT", "MODIFY"]})}]
            },
        },
    )
    failure_queue = resources(template, "AWS::SQS::Queue")[revocation_failure_queue_id(template)]
    assert failure_queue["Properties"]["SqsManagedSseEnabled"] is True


def test_only_the_ban_revoker_consumes_a_stream(dev_template):
    mappings = [
        m["Properties"] for m in resources(dev_template, "AWS::Lambda::EventSourceMapping").values()
    ]
    stream_consumers = [m["FunctionName"] for m in mappings if "StreamArn" in text(m)]

    assert stream_consumers == [{"Ref": function_by_service(dev_template, "ban-revoker")[0]}]


def test_the_deciding_functions_logs_carrying_counts_go_to_the_counter_without_retries(
    dev_template,
):
    counter_id, _ = function_by_service(dev_template, "counter")
    filters = resources(dev_template, "AWS::Logs::SubscriptionFilter").values()
    groups = {
        service: function_by_service(dev_template, service)[1]["Properties"]["LoggingConfig"][
            "LogGroup"
        ]
        for service in ("async-moderation", "before-publish", "publish")
    }

    # One filter per deciding function's log group, selecting the blobs carrying the counts
    assert sorted(text(f["Properties"]["LogGroupName"]) for f in filters) == sorted(
        text(group) for group in groups.values()
    )
    for subscription in filters:
        props = subscription["Properties"]
        assert props["DestinationArn"] == {"Fn::GetAtt": [counter_id, "Arn"]}
        assert props["FilterPattern"] == f'"{constants.COUNTS_METADATA_KEY}"'
    # CloudWatch Logs may invoke the counter, from this account's log groups only
    permissions = [
        p["Properties"]
        for p in resources(dev_template, "AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "logs.amazonaws.com"
    ]
    assert len(permissions) == 3
    assert all(p["FunctionName"] == {"Fn::GetAtt": [counter_id, "Arn"]} for p in permissions)
    assert all("SourceArn" in p for p in permissions)
    # and a failed delivery is not run again (it would count twice)
    (invoke_config,) = resources(dev_template, "AWS::Lambda::EventInvokeConfig").values()
    assert invoke_config["Properties"]["MaximumRetryAttempts"] == 0
    assert invoke_config["Properties"]["FunctionName"] == {"Ref": counter_id}


# --- roles Ably assumes ----------------------------------------------------------------


def ably_roles(template: Template) -> dict[str, dict[str, Any]]:
    return {
        logical_id: role
        for logical_id, role in resources(template, "AWS::IAM::Role").items()
        if constants.ABLY_AWS_ACCOUNT_ID in text(role["Properties"]["AssumeRolePolicyDocument"])
    }


def test_ably_roles_trust_ablys_account_with_the_external_id(alt_template):
    roles = ably_roles(alt_template)

    assert len(roles) == 2
    for role in roles.values():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Action"] == "sts:AssumeRole"
        assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "acct123.app456"}}
        assert f":iam::{constants.ABLY_AWS_ACCOUNT_ID}:root" in text(statement["Principal"])


def test_ably_sqs_role_may_only_send_to_the_ingest_queue(alt_template):
    queue_arn = {"Fn::GetAtt": [ingest_queue_id(alt_template), "Arn"]}
    statements = [
        s for role_id in ably_roles(alt_template) for s in role_statements(alt_template, role_id)
    ]
    sqs_statements = [s for s in statements if "sqs:SendMessage" in actions_of([s])]

    assert len(sqs_statements) == 1
    assert sqs_statements[0]["Resource"] == queue_arn
    assert actions_of(sqs_statements) <= {
        "sqs:SendMessage",
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
    }


def test_ably_invoke_role_may_only_invoke_before_publish(alt_template):
    before_publish_id, _ = function_by_service(alt_template, "before-publish")
    statements = [
        s for role_id in ably_roles(alt_template) for s in role_statements(alt_template, role_id)
    ]
    invoke = [s for s in statements if "lambda:InvokeFunction" in actions_of([s])]

    assert invoke == [
        {
            "Action": "lambda:InvokeFunction",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [before_publish_id, "Arn"]},
        }
    ]
    assert not any("lambda:" in a for a in actions_of([s for s in statements if s not in invoke]))


# --- DynamoDB ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env_var", "keys", "ttl"),
    [
        (constants.ENV_BANS_TABLE, [constants.BANS_PARTITION_KEY], constants.BANS_TTL_ATTRIBUTE),
        (
            constants.ENV_STRIKES_TABLE,
            [constants.STRIKES_PARTITION_KEY],
            constants.STRIKES_TTL_ATTRIBUTE,
        ),
        (
            constants.ENV_AUDIT_TABLE,
            [constants.AUDIT_PARTITION_KEY, constants.AUDIT_SORT_KEY],
            constants.AUDIT_TTL_ATTRIBUTE,
        ),
        (
            constants.ENV_IDEMPOTENCY_TABLE,
            [constants.IDEMPOTENCY_PARTITION_KEY],
            constants.IDEMPOTENCY_TTL_ATTRIBUTE,
        ),
        (
            constants.ENV_COUNTS_TABLE,
            [constants.COUNTS_PARTITION_KEY, constants.COUNTS_SORT_KEY],
            constants.COUNTS_TTL_ATTRIBUTE,
        ),
    ],
    ids=["bans", "strikes", "audit", "idempotency", "counts"],
)
def test_tables_are_on_demand_encrypted_with_pitr_and_ttl(dev_template, env_var, keys, ttl):
    props = resources(dev_template, "AWS::DynamoDB::Table")[table_id(dev_template, env_var)][
        "Properties"
    ]

    assert [k["AttributeName"] for k in props["KeySchema"]] == keys
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"] == {"SSEEnabled": True}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}


def test_bans_table_is_keyed_by_client_id_as_string(dev_template):
    props = resources(dev_template, "AWS::DynamoDB::Table")[
        table_id(dev_template, constants.ENV_BANS_TABLE)
    ]["Properties"]

    assert props["KeySchema"] == [{"AttributeName": "clientId", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "clientId", "AttributeType": "S"}]


@pytest.mark.parametrize(
    ("stage", "policy", "protected"),
    [("prod", "Retain", True), ("dev", "Delete", False)],
)
def test_prod_retains_data_and_dev_may_destroy_it(stage, policy, protected, request):
    template: Template = request.getfixturevalue(f"{stage}_template")

    for table in resources(template, "AWS::DynamoDB::Table").values():
        assert table["DeletionPolicy"] == policy
        assert table["Properties"].get("DeletionProtectionEnabled", False) is protected
    for queue in resources(template, "AWS::SQS::Queue").values():
        assert queue["DeletionPolicy"] == policy
    for pool in resources(template, "AWS::Cognito::UserPool").values():
        assert pool["DeletionPolicy"] == policy


# --- SSM ---------------------------------------------------------------------------------


def test_policy_is_a_string_parameter_holding_the_stage_policy(prod_template):
    (parameter,) = resources(prod_template, "AWS::SSM::Parameter").values()
    props = parameter["Properties"]
    policy = json.loads(props["Value"])
    settings = stage_settings("prod")

    assert props["Type"] == "String"
    assert props["Name"] == "/chatmod/prod/policy"
    assert policy["moderation"]["retryTimeoutMs"] == settings["moderation"]["retryTimeoutMs"]
    assert policy["moderation"]["failedAction"] == settings["moderation"]["failedAction"]
    assert policy["bans"]["ladder"] == settings["bans"]["ladder"]
    assert policy["tokens"]["ttlSeconds"] == settings["tokens"]["ttlSeconds"]
    assert policy["identity"] == {
        "clientIdClaim": "sub",
        "moderatorClaim": "cognito:groups",
        "moderatorValue": "moderators",
        "moderatorRoomsClaim": None,
    }


def test_secrets_are_referenced_by_name_only(dev_template):
    template = text(dev_template.to_json())
    settings = stage_settings("dev")["secrets"]

    # No SecureString is created (CloudFormation cannot), and only names appear.
    assert "SecureString" not in template
    assert settings["ablyApiKey"] in template
    assert not re.search(r"[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{6}:[A-Za-z0-9_+/=-]{20,}", template)


# --- Lambda ------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_every_function_is_arm64_newest_python_json_logs(dev_template, service):
    _, function = function_by_service(dev_template, service)
    props = function["Properties"]
    variables = props["Environment"]["Variables"]

    assert props["Architectures"] == ["arm64"]
    assert props["Runtime"] == "python3.14"
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    assert variables["POWERTOOLS_METRICS_NAMESPACE"] == constants.METRICS_NAMESPACE
    assert len(props["Layers"]) == 1
    module = HANDLER_MODULES.get(service, service.replace("-", "_"))
    assert props["Handler"] == f"chatmod.handlers.{module}.lambda_handler"
    assert 128 <= props["MemorySize"] <= 2048
    assert 1 <= props["Timeout"] <= 30


def test_functions_share_one_code_asset_and_one_layer(dev_template):
    functions = chatmod_functions(dev_template).values()
    layers = chatmod_layers(dev_template)

    assert len({text(f["Properties"]["Code"]) for f in functions}) == 1
    assert len({text(f["Properties"]["Layers"]) for f in functions}) == 1
    assert len(layers) == 1


def test_before_publish_timeout_fits_ablys_retry_budget(dev_template):
    _, function = function_by_service(dev_template, "before-publish")

    # Ably's retry timeout is at most 5 s; the function must not outlive a useful answer.
    assert function["Properties"]["Timeout"] <= 6


@pytest.mark.parametrize(("stage", "days"), [("dev", 14), ("prod", 90)])
def test_log_groups_keep_logs_for_the_configured_days(stage, days, request):
    template: Template = request.getfixturevalue(f"{stage}_template")
    groups = resources(template, "AWS::Logs::LogGroup")

    # One per function, plus API access logs and the console deployment's logs.
    assert len(groups) == len(SERVICES) + 2
    assert {g["Properties"]["RetentionInDays"] for g in groups.values()} == {days}


def test_each_function_has_its_own_role(dev_template):
    roles = {text(function_by_service(dev_template, s)[1]["Properties"]["Role"]) for s in SERVICES}

    assert len(roles) == len(SERVICES)


def test_no_function_role_uses_managed_policies(dev_template):
    for service in SERVICES:
        _, function = function_by_service(dev_template, service)
        role_id = function["Properties"]["Role"]["Fn::GetAtt"][0]
        role = resources(dev_template, "AWS::IAM::Role")[role_id]
        assert "ManagedPolicyArns" not in role["Properties"]


# Exact IAM grants per function and resource: see test_iam.py.


# --- HTTP API ----------------------------------------------------------------------------

USER_AND_MODERATOR_ROUTES = {
    "GET /token",
    "POST /token",
    "POST /messages",
    "GET /warnings",
    "POST /warnings/{warningId}/ack",
    "POST /moderation/bans",
    "GET /moderation/bans",
    "DELETE /moderation/bans/{clientId}",
    "GET /moderation/bans/{clientId}",
    "POST /moderation/messages/delete",
    "GET /moderation/audit",
    "GET /moderation/users/{clientId}",
    "GET /moderation/counts",
    "GET /moderation/terms",
    "POST /moderation/terms",
    "DELETE /moderation/terms",
    "GET /moderation/rooms/{room}",
    "POST /moderation/rooms/{room}/slow-mode",
    "GET /moderation/reviews",
    "GET /moderation/reviews/{reviewId}",
    "POST /moderation/reviews/{reviewId}/approve",
    "POST /moderation/reviews/{reviewId}/deny",
}


def routes(template: Template) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in resources(template, "AWS::ApiGatewayV2::Route").values()
    }


@pytest.mark.parametrize("stage", ["dev", "alt"])
def test_routes_use_the_jwt_authorizer_except_before_publish(stage, request):
    template: Template = request.getfixturevalue(f"{stage}_template")
    found = routes(template)

    for key in USER_AND_MODERATOR_ROUTES:
        assert found[key]["AuthorizationType"] == "JWT", key
        assert "AuthorizerId" in found[key]
    assert set(found) - USER_AND_MODERATOR_ROUTES <= {"POST /before-publish"}


def test_the_http_transport_gets_an_unauthenticated_before_publish_route(alt_template):
    found = routes(alt_template)

    assert set(found) == USER_AND_MODERATOR_ROUTES | {"POST /before-publish"}
    assert found["POST /before-publish"]["AuthorizationType"] == "NONE"
    assert "BeforePublishUrl" in alt_template.find_outputs("*")


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_lambda_transport_has_no_before_publish_route_at_all(stage, request):
    # Defect: an unauthenticated route in every stage cost an API request and an
    # invocation per junk call, and shared its throttle with Ably.
    template: Template = request.getfixturevalue(f"{stage}_template")
    (stage_resource,) = resources(template, "AWS::ApiGatewayV2::Stage").values()

    assert set(routes(template)) == USER_AND_MODERATOR_ROUTES
    assert "RouteSettings" not in stage_resource["Properties"]
    assert "BeforePublishUrl" not in template.find_outputs("*")


def test_cognito_mode_creates_pool_client_moderators_group_and_authorizer(dev_template):
    dev_template.resource_count_is("AWS::Cognito::UserPool", 1)
    dev_template.has_resource_properties("AWS::Cognito::UserPoolGroup", {"GroupName": "moderators"})
    dev_template.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {
                # The chat app's client and the console's.
                "Audience": [Match.any_value(), Match.any_value()],
                "Issuer": Match.any_value(),
            },
        },
    )


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_cognito_client_is_public_code_grant_only_with_the_stages_redirects(stage, request):
    template: Template = request.getfixturevalue(f"{stage}_template")
    auth = stage_settings(stage)["auth"]
    # The chat app's client (the console has its own: tests/infra/test_console_stack.py).
    (client,) = [
        c
        for c in resources(template, "AWS::Cognito::UserPoolClient").values()
        if c["Properties"]["CallbackURLs"] == auth["callbackUrls"]
    ]
    props = client["Properties"]

    assert props["GenerateSecret"] is False
    assert props["AllowedOAuthFlowsUserPoolClient"] is True
    assert props["AllowedOAuthFlows"] == ["code"]  # no implicit, no client credentials
    assert props["CallbackURLs"] == auth["callbackUrls"]
    assert props["LogoutURLs"] == auth["logoutUrls"]
    assert "https://example.com" not in text(props)
    assert set(props["AllowedOAuthScopes"]) == {"openid", "email", "profile"}
    assert props["SupportedIdentityProviders"] == ["COGNITO"]


def test_jwt_mode_trusts_the_external_issuer_and_creates_no_pool(alt_template):
    alt_template.resource_count_is("AWS::Cognito::UserPool", 0)
    alt_template.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "JwtConfiguration": {
                "Audience": ["chat-app"],
                "Issuer": "https://issuer.example.com/",
            },
        },
    )
    policy = json.loads(
        next(iter(resources(alt_template, "AWS::SSM::Parameter").values()))["Properties"]["Value"]
    )
    assert policy["identity"] == {
        "clientIdClaim": "uid",
        "moderatorClaim": "roles",
        "moderatorValue": "mod",
        "moderatorRoomsClaim": None,
    }


def test_stage_is_throttled_and_access_logged_in_json(prod_template):
    settings = stage_settings("prod")["api"]
    (stage,) = resources(prod_template, "AWS::ApiGatewayV2::Stage").values()
    props = stage["Properties"]

    assert props["StageName"] == "$default"
    assert props["AutoDeploy"] is True
    assert props["DefaultRouteSettings"]["ThrottlingRateLimit"] == settings["throttleRateLimit"]
    assert props["DefaultRouteSettings"]["ThrottlingBurstLimit"] == settings["throttleBurstLimit"]
    log_format = json.loads(props["AccessLogSettings"]["Format"])
    assert log_format["requestId"] == "$context.requestId"
    assert log_format["status"] == "$context.status"
    assert "DestinationArn" in props["AccessLogSettings"]


def test_before_publish_has_its_own_route_throttle_apart_from_the_default(alt_template):
    template = alt_template
    settings = stage_settings("dev")["api"]  # alt is dev with the HTTP transport
    (stage_resource,) = resources(template, "AWS::ApiGatewayV2::Stage").values()
    props = stage_resource["Properties"]
    route_ids = [
        logical_id
        for logical_id, route in resources(template, "AWS::ApiGatewayV2::Route").items()
        if route["Properties"]["RouteKey"] == "POST /before-publish"
    ]

    assert props["RouteSettings"] == {
        "POST /before-publish": {
            "ThrottlingRateLimit": settings["beforePublishThrottleRateLimit"],
            "ThrottlingBurstLimit": settings["beforePublishThrottleBurstLimit"],
        }
    }
    assert props["DefaultRouteSettings"] == {
        "ThrottlingRateLimit": settings["throttleRateLimit"],
        "ThrottlingBurstLimit": settings["throttleBurstLimit"],
    }
    # CloudFormation refuses route settings for a route the stage does not know yet.
    assert route_ids
    assert set(route_ids) <= set(stage_resource["DependsOn"])


def test_cors_comes_from_config(dev_template, prod_template):
    (dev_api,) = resources(dev_template, "AWS::ApiGatewayV2::Api").values()
    (prod_api,) = resources(prod_template, "AWS::ApiGatewayV2::Api").values()

    # The stage's origins, then the console's (its CloudFront URL).
    dev_origins = dev_api["Properties"]["CorsConfiguration"]["AllowOrigins"]
    prod_origins = prod_api["Properties"]["CorsConfiguration"]["AllowOrigins"]
    assert dev_origins[0] == "http://localhost:3000"
    assert [text(o) for o in dev_origins[1:]] == [text(o) for o in prod_origins]
    assert len(prod_origins) == 1
    assert "DomainName" in text(prod_origins[0])


# --- monitoring --------------------------------------------------------------------------


def alarms(template: Template) -> list[dict[str, Any]]:
    return [a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()]


def test_alarms_cover_dlq_errors_throttles_5xx_and_latency(dev_template):
    found = alarms(dev_template)
    by_metric: dict[str, list[dict[str, Any]]] = {}
    for alarm in found:
        if "MetricName" in alarm:  # metric-math alarms are checked on their own below
            by_metric.setdefault(alarm["MetricName"], []).append(alarm)

    queue_alarms = by_metric["ApproximateNumberOfMessagesVisible"]
    assert {text(a["Dimensions"][0]["Value"]) for a in queue_alarms} == {
        text({"Fn::GetAtt": [queue_id(dev_template), "QueueName"]})
        for queue_id in (dlq_id, revocation_failure_queue_id)
    }
    assert all(a["Threshold"] == 1 for a in queue_alarms)
    (iterator_age,) = by_metric["IteratorAge"]
    assert iterator_age["Dimensions"] == [
        {
            "Name": "FunctionName",
            "Value": {"Ref": function_by_service(dev_template, "ban-revoker")[0]},
        }
    ]
    assert iterator_age["Statistic"] == "Maximum"
    assert "Errors" not in by_metric  # a rate of invocations (test_alarms.py)
    error_rates = [
        a
        for a in found
        if {"Errors", "Invocations"}
        <= {
            m["MetricStat"]["Metric"]["MetricName"]
            for m in a.get("Metrics", [])
            if "MetricStat" in m
        }
    ]
    assert len(error_rates) == len(SERVICES)
    assert len(by_metric["Throttles"]) == len(SERVICES)
    assert len(by_metric["5xx"]) == 1
    (latency,) = by_metric["Duration"]
    assert latency["ExtendedStatistic"] == "p99"
    assert latency["Threshold"] == stage_settings("dev")["alarms"]["beforePublishP99Ms"]
    for alarm in found:
        assert len(alarm["AlarmActions"]) == 1


def failed_decision_alarms(template: Template) -> dict[str, dict[str, Any]]:
    """Metric-math alarms on the Failed counter, by the service they watch."""
    found = {}
    for alarm in alarms(template):
        stats = [m["MetricStat"] for m in alarm.get("Metrics", []) if "MetricStat" in m]
        if any(stat["Metric"]["MetricName"] == "Failed" for stat in stats):
            (service,) = {d["Value"] for stat in stats for d in stat["Metric"]["Dimensions"]}
            found[service] = alarm
    return found


@pytest.mark.parametrize(("stage", "threshold"), [("dev", 10), ("alt", 12.5)])
def test_failed_decision_rate_alarms_on_every_moderating_function(stage, threshold, request):
    template: Template = request.getfixturevalue(f"{stage}_template")
    found = failed_decision_alarms(template)

    assert set(found) == {"before-publish", "publish", "async-moderation"}
    for service, alarm in found.items():
        (expression,) = [m for m in alarm["Metrics"] if "Expression" in m]
        stats = {m["Id"]: m["MetricStat"] for m in alarm["Metrics"] if "MetricStat" in m}
        assert expression["ReturnData"] is True
        assert {s["Metric"]["MetricName"] for s in stats.values()} == {
            "Accepted",
            "Rejected",
            "Masked",
            "Failed",
        }
        for stat in stats.values():
            assert stat["Metric"]["Namespace"] == constants.METRICS_NAMESPACE
            assert stat["Metric"]["Dimensions"] == [{"Name": "service", "Value": service}]
            assert stat["Period"] == 300
            assert stat["Stat"] == "Sum"
        # Every counter is zero-filled, so "only Failed has data" reads as 100 %.
        for metric_id in stats:
            assert f"FILL({metric_id}, 0)" in expression["Expression"]
        (failed_id,) = [i for i, s in stats.items() if s["Metric"]["MetricName"] == "Failed"]
        assert f"100 * FILL({failed_id}, 0) / (" in expression["Expression"]
        assert alarm["Threshold"] == threshold
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
        assert len(alarm["AlarmActions"]) == 1


def test_dashboard_graphs_the_failed_decision_rate(dev_template):
    (dashboard,) = resources(dev_template, "AWS::CloudWatch::Dashboard").values()
    body = text(dashboard["Properties"]["DashboardBody"])

    assert "Failed decisions (% of decisions, 5 min)" in body
    assert "100 * FILL(failed_before_publish, 0)" in body


def test_dashboard_graphs_ban_revocation(dev_template):
    (dashboard,) = resources(dev_template, "AWS::CloudWatch::Dashboard").values()
    body = text(dashboard["Properties"]["DashboardBody"])

    assert "Ban revocation" in body
    assert "IteratorAge" in body
    assert "TokenRevocationFailed" in body


def test_alarm_topic_is_encrypted_and_mails_when_configured(dev_template, alt_template):
    dev_template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    dev_template.resource_count_is("AWS::SNS::Subscription", 0)
    alt_template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@example.com"}
    )
    dev_template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_dashboard_exists(dev_template):
    dev_template.has_resource_properties(
        "AWS::CloudWatch::Dashboard", {"DashboardName": "chatmod-dev"}
    )


# --- outputs -----------------------------------------------------------------------------


def test_outputs_give_everything_a_user_pastes_into_ably(dev_template, alt_template):
    expected = {
        "IngestQueueName",
        "IngestQueueUrl",
        "IngestQueueArn",
        "DeadLetterQueueUrl",
        "AblySqsRoleArn",
        "AblyExternalId",
        "ApiUrl",
        "BeforePublishFunctionName",
        "BeforePublishInvokeRoleArn",
        "BanRevocationFailureQueueUrl",
    }

    assert expected | {"UserPoolId", "UserPoolClientId"} <= set(dev_template.find_outputs("*"))
    assert expected <= set(alt_template.find_outputs("*"))
    assert "UserPoolId" not in alt_template.find_outputs("*")
    assert (
        alt_template.find_outputs("AblyExternalId")["AblyExternalId"]["Value"] == "acct123.app456"
    )


def test_policy_parameter_tier_follows_the_policy_size():
    from stacks.parameters import policy_tier

    assert policy_tier("x" * 4096).name == "STANDARD"
    assert policy_tier("x" * 4097).name == "ADVANCED"
    with pytest.raises(ValueError, match="at most 8192"):
        policy_tier("x" * 8193)


@pytest.mark.parametrize("service", SERVICES)
def test_only_actions_without_resource_permissions_use_a_wildcard(alt_template, service):
    wildcard = [s for s in function_statements(alt_template, service) if s["Resource"] == "*"]

    assert actions_of(wildcard) <= {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "comprehend:DetectToxicContent",
        "dynamodb:ListStreams",
    }
    if service != "ban-revoker":
        assert "dynamodb:ListStreams" not in actions_of(wildcard)


@pytest.mark.parametrize("service", SERVICES)
def test_every_function_knows_the_ably_rule_and_providers_as_deployed(dev_template, service):
    # What a policy edit in SSM cannot change; the functions refuse an edit that tries.
    _, function = function_by_service(dev_template, service)
    variables = function["Properties"]["Environment"]["Variables"]
    _, config = load_stage_config(cdk_context(), "dev")

    deployment = Deployment.parse(
        variables[constants.ENV_ABLY_RULE], variables[constants.ENV_DEPLOYED_PROVIDERS]
    )

    assert deployment == config.deployment
    assert dict(deployment.rule)["retryTimeoutMs"] == config.moderation.retry_timeout_ms
    assert {"blocklist", "http"} <= deployment.providers
    assert "hive" not in deployment.providers  # dev deploys no hive key
