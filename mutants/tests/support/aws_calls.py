"""Record the AWS API calls a handler makes, and name them as IAM sees them.

``record_aws_calls()`` wraps ``botocore.client.BaseClient._make_api_call``, the one
place every boto3 client (ours, Powertools' SSM provider and idempotency layer,
the resource API) goes through, including calls made on worker threads.

``iam_requests()`` turns the recorded API calls into what IAM authorises: an
``(action, resource name)`` pair per table/index/parameter touched. API names and
IAM names differ: ``TransactWriteItems`` is no IAM action — each item it holds is
authorised as ``PutItem``/``UpdateItem``/``DeleteItem``/``ConditionCheckItem`` on its
own table; ``BatchGetItem`` is authorised once per table in ``RequestItems``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from botocore.client import BaseClient

#: Transaction item kind → the IAM action that authorises it.
_TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_TRANSACT_GET = {"Get": "GetItem"}


@dataclass(frozen=True)
class ApiCall:
    """One AWS API call as botocore made it."""

    service: str  # the signing name, e.g. "dynamodb", "ssm"
    operation: str  # the API name, e.g. "TransactWriteItems"
    params: Mapping[str, Any]
    function: str | None = None  # the function whose handler was running, when known


@dataclass
class CallRecorder:
    """The calls made while recording is on (thread-safe)."""

    calls: list[ApiCall] = field(default_factory=list)
    recording: bool = False
    function: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, service: str, operation: str, params: Mapping[str, Any]) -> None:
        # Not thread-local on purpose: a handler's calls run on worker threads too.
        if self.recording:
            with self._lock:
                self.calls.append(ApiCall(service, operation, params, self.function))

    @contextmanager
    def on(self, function: str | None = None) -> Iterator[None]:
        """Record only inside this block (so that test setup and checks are not counted)."""
        self.recording, self.function = True, function
        try:
            yield
        finally:
            self.recording, self.function = False, None


@contextmanager
def record_aws_calls() -> Iterator[CallRecorder]:
    """Patch botocore so that every API call is offered to the returned recorder."""
    recorder = CallRecorder()
    original = BaseClient._make_api_call

    def recording(self: BaseClient, operation_name: str, api_params: Mapping[str, Any]) -> Any:
        service = self.meta.service_model.signing_name
        recorder.add(service, operation_name, dict(api_params))
        return original(self, operation_name, api_params)

    with mock.patch.object(BaseClient, "_make_api_call", recording):
        yield recorder


def iam_requests(calls: list[ApiCall], name_of: Callable[[str, str], str]) -> set[tuple[str, str]]:
    """``(IAM action, resource name)`` for every call.

    Args:
        calls: what ``record_aws_calls`` recorded.
        name_of: ``(service, physical name)`` → the name the IAM test gives the
            resource (a table name → ``bans``, a parameter name → ``ssm:...``).
    """
    requests: set[tuple[str, str]] = set()
    for call in calls:
        for action, resource in _authorised(call):
            requests.add((f"{call.service}:{action}", name_of(call.service, resource)))
    return requests


def _authorised(call: ApiCall) -> Iterator[tuple[str, str]]:
    params = call.params
    if call.service == "dynamodb":
        if call.operation in ("BatchGetItem", "BatchWriteItem"):
            for table in params["RequestItems"]:
                yield call.operation, table
        elif call.operation in ("TransactWriteItems", "TransactGetItems"):
            kinds = _TRANSACT_WRITE if call.operation == "TransactWriteItems" else _TRANSACT_GET
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                yield kinds[kind], body["TableName"]
        elif "IndexName" in params:
            yield call.operation, f"{params['TableName']}/index/{params['IndexName']}"
        else:
            yield call.operation, params.get("TableName", "*")
    elif call.service == "ssm" and call.operation == "GetParameter":
        yield call.operation, params["Name"]
    elif call.service == "ssm" and call.operation == "GetParameters":
        for name in params["Names"]:
            yield call.operation, name
    elif call.service == "sqs" and "QueueUrl" in params:
        yield call.operation, str(params["QueueUrl"]).rsplit("/", 1)[-1]
    else:
        yield call.operation, "*"
