"""Builders for the events Lambda receives: API Gateway HTTP API (v2), SQS, Ably envelopes,
DynamoDB Streams (the bans table), CloudWatch Logs subscription deliveries."""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from boto3.dynamodb.types import TypeSerializer

_serializer = TypeSerializer()
_sequence_numbers = itertools.count(100000000000000000000)


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name: str = "chatmod-test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:chatmod-test"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 5000


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API payload v2 event, with JWT authorizer claims when given."""
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "api",
        "domainName": "api.example.com",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1",
            "userAgent": "pytest",
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": f"{method} {path}",
        "stage": "$default",
        "time": "22/Nov/2026:04:00:00 +0000",
        "timeEpoch": 1795320000000,
    }
    if claims is not None:
        request_context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "&".join(f"{k}={v}" for k, v in (query or {}).items()),
        "queryStringParameters": query,
        "headers": {"content-type": "application/json", **(headers or {})},
        "pathParameters": path_parameters,
        "requestContext": request_context,
        "body": text,
        "isBase64Encoded": False,
    }


def sqs_event(*bodies: str) -> dict[str, Any]:
    """An SQS event with one record per body."""
    return {
        "Records": [
            {
                "messageId": f"msg-{index}",
                "receiptHandle": f"handle-{index}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:ingest",
                "awsRegion": "eu-west-1",
            }
            for index, body in enumerate(bodies)
        ]
    }


def ably_envelope(channel: str, *messages: dict[str, Any]) -> str:
    """Ably's enveloped integration-rule body for channel messages (as the emulator's rule)."""
    return json.dumps(
        {
            "source": "channel.message",
            "appId": "appid",
            "channel": channel,
            "site": "eu-west-1-A",
            "ruleId": "rule1",
            "timestamp": int(time.time() * 1000),
            "messages": list(messages),
        }
    )


def before_publish_request(
    text: str = "hello", *, room: str = "lobby", client_id: str = "alice"
) -> dict[str, Any]:
    """An Ably Chat before-publish request."""
    return {
        "source": "chat.message",
        "appId": "appid",
        "room": room,
        "site": "eu-west-1-A",
        "ruleId": "rule1",
        "message": {"clientId": client_id, "text": text, "metadata": {}, "headers": {}},
    }


def ban_item(
    client_id: str,
    *,
    expires_at: int | None,
    reason: str = "spam",
    source: str = "auto",
    created_at: int = 1_795_320_000,
    **extra: Any,
) -> dict[str, Any]:
    """A bans table item as ``BanStore`` writes it (no ``expiresAt``: a permanent ban)."""
    item: dict[str, Any] = {
        "clientId": client_id,
        "reason": reason,
        "source": source,
        "createdAt": created_at,
        **extra,
    }
    if expires_at is not None:
        item["expiresAt"] = expires_at
    return item


def dynamodb_stream_record(
    event_name: Literal["INSERT", "MODIFY", "REMOVE"],
    *,
    keys: dict[str, Any],
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    sequence_number: str | None = None,
    table_arn: str = "arn:aws:dynamodb:eu-west-1:123456789012:table/chatmod-test-bans",
) -> dict[str, Any]:
    """One DynamoDB Streams record (view type NEW_AND_OLD_IMAGES, images in DynamoDB JSON)."""
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": 1_795_320_000,
        "Keys": {name: _serializer.serialize(value) for name, value in keys.items()},
        "SequenceNumber": sequence_number or str(next(_sequence_numbers)),
        "SizeBytes": 128,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        body["OldImage"] = {name: _serializer.serialize(value) for name, value in old.items()}
    if new is not None:
        body["NewImage"] = {name: _serializer.serialize(value) for name, value in new.items()}
    return {
        "eventID": uuid.uuid4().hex,
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": body,
        "eventSourceARN": f"{table_arn}/stream/2026-11-22T04:00:00.000",
    }


def ban_stream_record(
    event_name: Literal["INSERT", "MODIFY", "REMOVE"],
    client_id: str,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    sequence_number: str | None = None,
) -> dict[str, Any]:
    """A bans table stream record for ``client_id`` with the item before and after the write."""
    return dynamodb_stream_record(
        event_name,
        keys={"clientId": client_id},
        old=old,
        new=new,
        sequence_number=sequence_number,
    )


def dynamodb_stream_event(*records: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB Streams event delivering ``records`` in order."""
    return {"Records": list(records)}


def log_subscription_event(
    messages: list[str],
    *,
    timestamp_ms: int | None = None,
    log_group: str = "/aws/lambda/chatmod-dev-BeforePublish",
    message_type: str = "DATA_MESSAGE",
) -> dict[str, Any]:
    """A CloudWatch Logs subscription delivery to Lambda, as AWS documents it: the JSON
    document gzipped and base64-encoded under ``awslogs.data``."""
    at = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    document = {
        "messageType": message_type,
        "owner": "123456789012",
        "logGroup": log_group,
        "logStream": "2026/12/05/[$LATEST]0123456789abcdef0123456789abcdef",
        "subscriptionFilters": ["chatmod-counts"],
        "logEvents": [
            # (CloudWatch Logs' event ids are 56-digit strings)
            {"id": str(36 * 10**54 + index), "timestamp": at, "message": message}
            for index, message in enumerate(messages)
        ],
    }
    data = base64.b64encode(gzip.compress(json.dumps(document).encode())).decode()
    return {"awslogs": {"data": data}}
