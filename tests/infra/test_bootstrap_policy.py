"""The CloudFormation execution policy (stacks/bootstrap/execution-policy.json) covers the stack.

``make bootstrap`` gives CloudFormation this policy instead of AdministratorAccess. Every
resource type the stack can synthesize (dev, prod, and the alternative and SnapStart
stages for the types only their options create) must be listed in ``COVERED_TYPES``
with the IAM service the policy allows for it: a new resource type fails here until
someone checks that the policy lets CloudFormation create, update and delete it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Template

from stacks.chatmod_stack import ROLE_BOUNDARY_POLICY
from tests.support.cdk_app import ROOT, synth_template
from tools.bootstrap_policies import POLICIES

POLICY_FILE = ROOT / "stacks" / "bootstrap" / "execution-policy.json"
POLICY = json.loads(POLICY_FILE.read_text())
POLICY_NAME = "chatmod-cfn-exec"
BOUNDARY_FILE = ROOT / "stacks" / "bootstrap" / "role-boundary.json"
BOUNDARY = json.loads(BOUNDARY_FILE.read_text())

#: Resource type → the IAM service prefix CloudFormation uses to manage it.
COVERED_TYPES = {
    "AWS::ApiGatewayV2::Api": "apigateway",
    "AWS::ApiGatewayV2::Authorizer": "apigateway",
    "AWS::ApiGatewayV2::Integration": "apigateway",
    "AWS::ApiGatewayV2::Route": "apigateway",
    "AWS::ApiGatewayV2::Stage": "apigateway",
    "AWS::CloudFront::Distribution": "cloudfront",  # the console
    "AWS::CloudFront::OriginAccessControl": "cloudfront",
    "AWS::CloudFront::ResponseHeadersPolicy": "cloudfront",
    "AWS::CloudWatch::Alarm": "cloudwatch",
    "AWS::CloudWatch::Dashboard": "cloudwatch",
    "AWS::Cognito::UserPool": "cognito-idp",
    "AWS::Cognito::UserPoolClient": "cognito-idp",
    "AWS::Cognito::UserPoolDomain": "cognito-idp",  # the console's hosted UI
    "AWS::Cognito::UserPoolGroup": "cognito-idp",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::Events::Rule": "events",  # the review sweeper's schedule
    "AWS::IAM::Policy": "iam",  # inline policies on the stack's roles (iam:PutRolePolicy)
    "AWS::IAM::Role": "iam",
    "AWS::KMS::Key": "kms",
    "AWS::Lambda::Alias": "lambda",
    "AWS::Lambda::EventInvokeConfig": "lambda",  # the counter: no retries
    "AWS::Lambda::EventSourceMapping": "lambda",
    "AWS::Lambda::Function": "lambda",
    "AWS::Lambda::LayerVersion": "lambda",
    "AWS::Lambda::Permission": "lambda",
    "AWS::Lambda::Version": "lambda",
    "AWS::Logs::LogGroup": "logs",
    "AWS::Logs::SubscriptionFilter": "logs",  # the decision counts' delivery
    "AWS::S3::Bucket": "s3",  # the console's files (bucket management only, chatmod-*)
    "AWS::S3::BucketPolicy": "s3",
    "AWS::SNS::Subscription": "sns",
    "AWS::SNS::Topic": "sns",
    "AWS::SNS::TopicPolicy": "sns",
    "AWS::SQS::Queue": "sqs",
    "AWS::SQS::QueuePolicy": "sqs",
    "AWS::SSM::Parameter": "ssm",
}
#: A custom resource is CloudFormation invoking its provider function.
CUSTOM_RESOURCE_SERVICE = "lambda"


@pytest.fixture(scope="module")
def snap_template() -> Template:
    return synth_template("snap", {"snapStart": True})


@pytest.fixture(params=["dev", "prod", "alt", "snap"])
def template(request: pytest.FixtureRequest) -> Template:
    fixture = {"dev": "dev_template", "prod": "prod_template", "alt": "alt_template"}
    return request.getfixturevalue(fixture.get(request.param, "snap_template"))


def resources(template: Template) -> dict[str, dict[str, Any]]:
    return dict(template.to_json()["Resources"])


def statements(effect: str) -> list[dict[str, Any]]:
    return [s for s in POLICY["Statement"] if s["Effect"] == effect]


def listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def allowed_actions() -> set[str]:
    return {action for s in statements("Allow") for action in listed(s["Action"])}


def service_of(resource_type: str) -> str | None:
    if resource_type.startswith("Custom::") or resource_type == (
        "AWS::CloudFormation::CustomResource"
    ):
        return CUSTOM_RESOURCE_SERVICE
    return COVERED_TYPES.get(resource_type)


def test_every_resource_type_maps_to_a_service_the_policy_allows(template):
    services = {a.split(":", 1)[0] for a in allowed_actions()}

    for resource_type in sorted({r["Type"] for r in resources(template).values()}):
        service = service_of(resource_type)
        assert service is not None, (
            f"{resource_type} is new: check that {POLICY_FILE.name} lets CloudFormation "
            "create, update and delete it, then add it to COVERED_TYPES"
        )
        assert service in services, f"{resource_type} needs {service}:* actions in the policy"


def test_every_covered_service_is_allowed_and_nothing_else():
    services = {a.split(":", 1)[0] for a in allowed_actions()}

    # s3: Lambda reads the function code from the bootstrap bucket with the caller's rights.
    assert services == set(COVERED_TYPES.values()) | {"s3"}


def test_the_policy_grants_no_administrator_and_no_key_use():
    actions = allowed_actions()

    assert not {"*", "*:*", "iam:*", "kms:*", "ssm:*", "s3:*"} & actions
    # CloudFormation manages the alarm topic's key; it never encrypts or decrypts with it.
    assert not {a for a in actions if re.fullmatch(r"kms:(Decrypt|Encrypt|GenerateDataKey.*)", a)}
    assert "iam:AttachRolePolicy" not in actions  # the stack's roles carry inline policies only


def test_iam_actions_reach_only_the_stacks_roles():
    for statement in statements("Allow"):
        if any(a.startswith("iam:") for a in listed(statement["Action"])):
            assert listed(statement["Resource"]) == ["arn:aws:iam::*:role/chatmod-*"]


def test_the_stacks_roles_fall_inside_the_iam_statement(template):
    # CloudFormation names a role "<stack name>-<logical id>-<suffix>": chatmod-<stage>-...
    for resource in resources(template).values():
        if resource["Type"] == "AWS::IAM::Role":
            properties = resource["Properties"]
            assert "ManagedPolicyArns" not in properties
            assert properties.get("RoleName", "chatmod-").startswith("chatmod-")
        if resource["Type"] == "AWS::IAM::Policy":
            assert set(resource["Properties"]) <= {"PolicyDocument", "PolicyName", "Roles"}


def test_the_stacks_parameters_fall_inside_the_ssm_statement(template):
    (ssm_statement,) = [s for s in statements("Allow") if "ssm:PutParameter" in listed(s["Action"])]
    patterns = [
        re.escape(r.split(":parameter", 1)[1]).replace(r"\*", "[^/]*")
        for r in listed(ssm_statement["Resource"])
    ]
    for resource in resources(template).values():
        if resource["Type"] == "AWS::SSM::Parameter":
            name = resource["Properties"]["Name"]
            assert any(re.fullmatch(p, name) for p in patterns), name


def test_the_policy_fits_a_managed_policy():
    # IAM counts the characters of a managed policy without whitespace: at most 6,144.
    assert len(re.sub(r"\s", "", POLICY_FILE.read_text())) <= 6144
    assert POLICY["Version"] == "2012-10-17"


def test_make_bootstrap_and_the_readme_use_the_policies():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nbootstrap:", 1)[1].split("\n\n", 1)[0]
    readme = (ROOT / "README.md").read_text()
    step = readme.split("1. **Bootstrap**", 1)[1].split("\n2. ", 1)[0]

    assert "python -m tools.bootstrap_policies" in recipe
    assert '--cloudformation-execution-policies "$$arn"' in recipe
    assert (
        f'--cloudformation-execution-policies "arn:aws:iam::$ACCOUNT:policy/{POLICY_NAME}"' in step
    )
    assert f"--policy-name {POLICY_NAME}" in step
    assert "file://stacks/bootstrap/execution-policy.json" in step
    assert f"--policy-name {ROLE_BOUNDARY_POLICY}" in step
    assert "file://stacks/bootstrap/role-boundary.json" in step
    assert [name for name, _ in POLICIES] == [ROLE_BOUNDARY_POLICY, POLICY_NAME]
    assert {path for _, path in POLICIES} == {POLICY_FILE, BOUNDARY_FILE}


# -- the roles' permissions boundary ---------------------------------------------------------


def role_actions(template: Template) -> set[str]:
    """Every action any role of ``template`` is granted (its inline and attached policies)."""
    documents = []
    for resource in resources(template).values():
        if resource["Type"] == "AWS::IAM::Policy":
            documents.append(resource["Properties"]["PolicyDocument"])
        if resource["Type"] == "AWS::IAM::Role":
            documents += [p["PolicyDocument"] for p in resource["Properties"].get("Policies", [])]
    return {
        action
        for document in documents
        for statement in document["Statement"]
        if statement["Effect"] == "Allow"
        for action in listed(statement["Action"])
    }


def boundary_actions() -> set[str]:
    (statement,) = BOUNDARY["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "*"  # the roles' own policies name the resources
    return set(listed(statement["Action"]))


def test_every_role_carries_the_boundary(template):
    roles = [r for r in resources(template).values() if r["Type"] == "AWS::IAM::Role"]

    assert roles
    for role in roles:
        boundary = role["Properties"]["PermissionsBoundary"]
        assert json.dumps(boundary).endswith(f':policy/{ROLE_BOUNDARY_POLICY}"]]}}')


def test_the_boundary_allows_every_action_a_role_is_granted(template):
    missing = role_actions(template) - boundary_actions()

    assert not missing, f"add {sorted(missing)} to {BOUNDARY_FILE.name} (and re-run make bootstrap)"


def test_the_boundary_allows_nothing_no_stage_grants(
    dev_template, prod_template, alt_template, snap_template
):
    traced = synth_template("dev", {"tracing": {"enabled": True}})
    granted = set().union(
        *(
            role_actions(t)
            for t in (dev_template, prod_template, alt_template, snap_template, traced)
        )
    )

    assert boundary_actions() == granted


def test_the_boundary_grants_no_iam_and_no_wildcard():
    actions = boundary_actions()

    assert not [a for a in actions if "*" in a]
    assert not [a for a in actions if a.split(":", 1)[0] in {"iam", "sts", "organizations"}]
    assert len(re.sub(r"\s", "", BOUNDARY_FILE.read_text())) <= 6144


def test_cloudformation_creates_or_changes_a_role_only_with_the_boundary():
    conditioned = {"iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"}
    for statement in statements("Allow"):
        actions = set(listed(statement["Action"]))
        if actions & conditioned:
            assert actions <= conditioned
            assert statement["Condition"] == {
                "ArnLike": {
                    "iam:PermissionsBoundary": f"arn:aws:iam::*:policy/{ROLE_BOUNDARY_POLICY}"
                }
            }
    assert conditioned <= allowed_actions()
    # Nor may it take the boundary off, or touch any managed policy (the boundary included).
    denied = {a for s in statements("Deny") for a in listed(s["Action"])}
    assert "iam:DeleteRolePermissionsBoundary" in denied
    managed_policy_changes = {
        "iam:AttachRolePolicy",
        "iam:CreatePolicy",
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
    }
    assert not managed_policy_changes & allowed_actions()
