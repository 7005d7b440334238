"""A deployed-looking chatmod stack in moto: the outputs the operations tools read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from stacks.config import StageConfig, load_stage_config
from tests.support.cdk_app import cdk_context, deep_merge

REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's account
STAGE = "dev"
QUEUE_NAME = "chatmod-dev-IngestQueue-ABC123"
FUNCTION_NAME = "chatmod-dev-before-publish"
API_URL = "https://abc123.execute-api.eu-west-1.amazonaws.com/"

OUTPUTS = {
    "IngestQueueName": QUEUE_NAME,
    "IngestQueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE_NAME}",
    "AblySqsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/chatmod-dev-SqsRuleRole",
    "AblyExternalId": "acct123.app456",
    "ApiUrl": API_URL,
    "BeforePublishUrl": f"{API_URL}before-publish",
    "BeforePublishFunctionName": FUNCTION_NAME,
    "BeforePublishFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION_NAME}",
    "BeforePublishInvokeRoleArn": f"arn:aws:iam::{ACCOUNT}:role/chatmod-dev-InvokeRole",
}


def stage_config(overrides: dict[str, Any] | None = None) -> StageConfig:
    """dev's cdk.json settings with real-looking Ably ids, plus ``overrides``."""
    context = cdk_context()
    dev = context["chatmod:stages"]["dev"]
    dev = deep_merge(dev, {"ably": {"accountId": "acct123", "appId": "app456"}})
    context["chatmod:stages"]["dev"] = deep_merge(dev, overrides or {})
    return load_stage_config(context, STAGE)[1]


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    """moto, with ``chatmod-dev`` deployed as far as its outputs go."""
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        template = {
            "Resources": {
                "Ingest": {"Type": "AWS::SQS::Queue"},
                "DeadLetters": {"Type": "AWS::SQS::Queue"},
            },
            "Outputs": {
                **{key: {"Value": value} for key, value in OUTPUTS.items()},
                "IngestQueueUrl": {"Value": {"Ref": "Ingest"}},
                "DeadLetterQueueUrl": {"Value": {"Ref": "DeadLetters"}},
            },
        }
        session.client("cloudformation").create_stack(
            StackName=f"chatmod-{STAGE}", TemplateBody=json.dumps(template)
        )
        yield session
