"""Process-wide test settings: no real AWS, no tracing daemon, quiet Powertools."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Set before any chatmod or boto3 import reads them.
os.environ.update(
    {
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "chatmod-tests",
        "POWERTOOLS_METRICS_NAMESPACE": "ChatmodTests",
        "POWERTOOLS_DEV": "false",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
)
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)

# Shared fixtures (loopback servers) available to every test module.
pytest_plugins = ["tests.support.ably_fixtures", "tests.support.hanging"]


@pytest.fixture(scope="session", autouse=True)
def _moto_as_aws_serves() -> Iterator[None]:
    """botocore's models parsed once per process, not once per ``mock_aws()``; moto's
    DynamoDB one request at a time, as local mode serves it (see each)."""
    # (imported here: after the environment above)
    from chatmod_local.aws import serve_dynamodb_serially
    from tests.support.botocore_loader import one_loader

    serve_dynamodb_serially()
    with one_loader():
        yield


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--load-seconds",
        type=float,
        default=2.0,
        help="how long tests/e2e/test_load.py sends (default 2 s; a longer soak: 30)",
    )
