"""boto3 clients, created lazily once per process and reused across invocations.

boto3 reads ``AWS_ENDPOINT_URL`` itself, which is how local mode points every
client at the embedded moto server; nothing here branches on the mode.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Short timeouts: every caller is inside an API Gateway or Ably time budget.
_CONFIG = Config(
    connect_timeout=2,
    read_timeout=3,
    retries={"mode": "standard", "max_attempts": 3},
)


@cache
def client(service: str) -> Any:
    """The shared boto3 client for ``service``."""
    return boto3.client(service, config=_CONFIG)


@cache
def table(name: str) -> Any:
    """The shared DynamoDB ``Table`` resource for ``name``."""
    return boto3.resource("dynamodb", config=_CONFIG).Table(name)
