"""The embedded AWS holds to what the handlers rely on from the real one."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from chatmod_local.aws import serve_dynamodb_serially


def test_moto_dynamodb_serves_one_request_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # A transaction copies its tables in moto; a write from another thread in the middle of
    # the copy failed it ("dictionary changed size during iteration"), and the async
    # consumer decides on several threads
    serve_dynamodb_serially()
    inside, release = threading.Event(), threading.Event()
    served: list[str] = []
    original = DynamoDBBackend.put_item

    def put_item(self: DynamoDBBackend, table_name: str, item: Any, *args: Any, **kw: Any) -> Any:
        if item["k"]["S"] == "first":
            inside.set()
            release.wait(5)
        served.append(item["k"]["S"])
        return original(self, table_name, item, *args, **kw)

    monkeypatch.setattr(DynamoDBBackend, "put_item", put_item)
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )

        def put(key: str) -> threading.Thread:
            thread = threading.Thread(
                target=client.put_item, kwargs={"TableName": "t", "Item": {"k": {"S": key}}}
            )
            thread.start()
            return thread

        first = put("first")
        assert inside.wait(5)
        second = put("second")
        second.join(timeout=0.3)  # (served at once if nothing held it back)
        assert served == []
        release.set()
        first.join(timeout=5)
        second.join(timeout=5)

        assert served == ["first", "second"]
        assert client.scan(TableName="t", Select="COUNT")["Count"] == 2
