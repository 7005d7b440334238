"""A chatmod deployment inside moto: the tables, parameters and environment the stack creates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as parameters_base
from moto import mock_aws

from chatmod.adapters import aws
from chatmod.adapters.ably.client import reset_gateway
from chatmod.adapters.parameters import reset_parameter_cache
from chatmod.core import constants
from chatmod.core.policy import RuntimePolicy
from chatmod.core.runtime import reset_runtime
from chatmod.core.settings import get_settings
from tests.support.ably_stub import FAKE_API_KEY
from tests.support.dynamodb import (
    AUDIT_TABLE,
    BANS_TABLE,
    IDEMPOTENCY_TABLE,
    REVIEWS_TABLE,
    STRIKES_TABLE,
    ChatmodTables,
    create_tables,
)

POLICY_PARAMETER = "/chatmod/test/policy"
ABLY_KEY_PARAMETER = "/chatmod/test/ably-key"
BEFORE_PUBLISH_SECRET_PARAMETER = "/chatmod/test/before-publish-secret"
BEFORE_PUBLISH_SECRET = "test-before-publish-secret-0123456789"
JUDGED_KEY_PARAMETER = "/chatmod/test/judged-key"
JUDGED_KEY = "test-judged-key-9876543210-abcdefghij"


def environment(**overrides: str) -> dict[str, str]:
    """The environment variables the stack sets on every function."""
    return {
        constants.ENV_STAGE: "test",
        constants.ENV_BANS_TABLE: BANS_TABLE,
        constants.ENV_STRIKES_TABLE: STRIKES_TABLE,
        constants.ENV_AUDIT_TABLE: AUDIT_TABLE,
        constants.ENV_IDEMPOTENCY_TABLE: IDEMPOTENCY_TABLE,
        constants.ENV_REVIEWS_TABLE: REVIEWS_TABLE,
        constants.ENV_POLICY_PARAMETER: POLICY_PARAMETER,
        constants.ENV_ABLY_KEY_PARAMETER: ABLY_KEY_PARAMETER,
        constants.ENV_BEFORE_PUBLISH_SECRET_PARAMETER: BEFORE_PUBLISH_SECRET_PARAMETER,
        constants.ENV_JUDGED_KEY_PARAMETER: JUDGED_KEY_PARAMETER,
        **overrides,
    }


def reset_process_state() -> None:
    """Forget everything a warm container caches: settings, parameters, clients, runtime."""
    get_settings.cache_clear()
    parameters.clear_caches()
    parameters_base.DEFAULT_PROVIDERS.clear()
    reset_parameter_cache()
    reset_gateway()
    aws.table.cache_clear()
    aws.client.cache_clear()
    reset_runtime()


def put_parameters(
    *,
    policy: RuntimePolicy | None = None,
    secrets: Mapping[str, str] | None = None,
    endpoint_url: str | None = None,
) -> None:
    """The policy String and the SecureStrings an operator creates before deploying."""
    ssm = boto3.client("ssm", endpoint_url=endpoint_url)
    ssm.put_parameter(
        Name=POLICY_PARAMETER,
        Value=(policy or RuntimePolicy()).to_json(),
        Type="String",
        Overwrite=True,
    )
    values = {
        ABLY_KEY_PARAMETER: FAKE_API_KEY,
        BEFORE_PUBLISH_SECRET_PARAMETER: BEFORE_PUBLISH_SECRET,
        JUDGED_KEY_PARAMETER: JUDGED_KEY,
        **(secrets or {}),
    }
    for name, value in values.items():
        ssm.put_parameter(Name=name, Value=value, Type="SecureString", Overwrite=True)


@contextmanager
def moto_deployment(
    monkeypatch: pytest.MonkeyPatch,
    *,
    policy: RuntimePolicy | None = None,
    secrets: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[ChatmodTables]:
    """Tables, parameters and environment in ``mock_aws``, with process caches reset around it."""
    for name, value in environment(**dict(env or {})).items():
        monkeypatch.setenv(name, value)
    reset_process_state()
    with mock_aws():
        tables = create_tables()
        put_parameters(policy=policy, secrets=secrets)
        yield tables
    reset_process_state()
