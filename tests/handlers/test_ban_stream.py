"""The bans table stream consumer: moto for DynamoDB and SSM, the real ably-python SDK on the stub."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chatmod.adapters.ably.client import reset_gateway
from chatmod.core import constants
from chatmod.core.policy import BanPolicy, RuntimePolicy
from chatmod.handlers import ban_stream
from tests.support.ably_stub import FAKE_KEY_NAME, AblyStub, Reply
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import (
    FakeLambdaContext,
    ban_item,
    ban_stream_record,
    dynamodb_stream_event,
)

REVOKE = f"/keys/{FAKE_KEY_NAME}/revokeTokens"
NOW = int(time.time())
HOUR = NOW + 3600
MINUTE = NOW + 60


def deploy(
    monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub, policy: RuntimePolicy | None = None
) -> Iterator[ChatmodTables]:
    env = {
        constants.ENV_ABLY_REST_HOST: f"{ably_stub.host}:{ably_stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    reset_gateway()
    with moto_deployment(monkeypatch, policy=policy, env=env) as tables:
        yield tables
    reset_gateway()


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub) -> Iterator[ChatmodTables]:
    yield from deploy(monkeypatch, ably_stub)


@pytest.fixture
def tables_without_revocation(
    monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub
) -> Iterator[ChatmodTables]:
    policy = RuntimePolicy(bans=BanPolicy(revoke_tokens_on_ban=False))
    yield from deploy(monkeypatch, ably_stub, policy)


def handle(*records: dict[str, Any]) -> dict[str, Any]:
    return dict(ban_stream.lambda_handler(dynamodb_stream_event(*records), FakeLambdaContext()))


def revoked_targets(ably_stub: AblyStub) -> list[list[str]]:
    return [request.json()["targets"] for request in ably_stub.requests_to(REVOKE)]


def failed_items(response: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def audit_events(tables: ChatmodTables) -> list[dict[str, Any]]:
    return sorted(tables.audit.scan()["Items"], key=lambda item: item["eventId"])


# -- bans that revoke ---------------------------------------------------------------------


def test_given_a_new_ban_when_the_stream_delivers_it_then_tokens_are_revoked_and_audited(
    tables, ably_stub
):
    record = ban_stream_record("INSERT", "alice", new=ban_item("alice", expires_at=HOUR))

    response = handle(record)

    assert response == {"batchItemFailures": []}
    assert revoked_targets(ably_stub) == [["clientId:alice"]]
    (event,) = audit_events(tables)
    assert event["action"] == "revoke"
    assert event["actor"] == "system"
    assert event["clientId"] == "alice"
    assert event["reason"] == "spam"
    assert json.loads(event["details"])["trigger"] == "ban"


def test_given_a_permanent_ban_written_by_a_moderator_then_tokens_are_revoked(tables, ably_stub):
    record = ban_stream_record(
        "INSERT", "bob", new=ban_item("bob", expires_at=None, source="mod1", reason="abuse")
    )

    assert handle(record) == {"batchItemFailures": []}
    assert revoked_targets(ably_stub) == [["clientId:bob"]]
    assert json.loads(audit_events(tables)[0]["details"]) == {
        "trigger": "ban",
        "banSource": "mod1",
        "bannedUntil": None,
    }


@pytest.mark.parametrize(
    ("old_in", "new_in"),
    [(60, 3600), (3600, None), (-10, 60)],
    ids=["later", "permanent", "after-an-ended-ban"],
)
def test_given_a_ban_extended_when_modified_then_tokens_are_revoked(
    tables, ably_stub, old_in, new_in
):
    # Expiries relative to when the test runs, not to import time: a long suite
    # before this test would otherwise turn the "after-an-ended-ban" case into two
    # ended bans.
    now = int(time.time())
    record = ban_stream_record(
        "MODIFY",
        "alice",
        old=ban_item("alice", expires_at=now + old_in),
        new=ban_item("alice", expires_at=None if new_in is None else now + new_in),
    )

    assert handle(record) == {"batchItemFailures": []}
    assert revoked_targets(ably_stub) == [["clientId:alice"]]
    assert len(audit_events(tables)) == 1


def test_given_an_operator_fixes_an_unreadable_ban_then_tokens_are_revoked(tables, ably_stub):
    record = ban_stream_record(
        "MODIFY",
        "alice",
        old=ban_item("alice", expires_at=None, expiresAt="tomorrow"),
        new=ban_item("alice", expires_at=HOUR),
    )

    assert handle(record) == {"batchItemFailures": []}
    assert revoked_targets(ably_stub) == [["clientId:alice"]]


# -- changes that revoke nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    ("old_expires", "new_expires"),
    [(HOUR, MINUTE), (None, HOUR), (HOUR, HOUR), (None, None)],
    ids=["shorter", "permanent-to-timed", "same-end", "permanent-reason-edit"],
)
def test_given_a_ban_shortened_or_unchanged_when_modified_then_nothing_is_revoked(
    tables, ably_stub, old_expires, new_expires
):
    record = ban_stream_record(
        "MODIFY",
        "alice",
        old=ban_item("alice", expires_at=old_expires),
        new=ban_item("alice", expires_at=new_expires, reason="edited"),
    )

    assert handle(record) == {"batchItemFailures": []}
    assert ably_stub.requests == []  # not even the key is used
    assert audit_events(tables) == []


@pytest.mark.parametrize("expires_at", [HOUR, None], ids=["timed", "permanent"])
def test_given_a_ban_removed_by_unban_or_ttl_then_nothing_is_revoked(tables, ably_stub, expires_at):
    record = ban_stream_record("REMOVE", "alice", old=ban_item("alice", expires_at=expires_at))

    assert handle(record) == {"batchItemFailures": []}
    assert ably_stub.requests == []
    assert audit_events(tables) == []


def test_given_a_ban_inserted_already_ended_then_nothing_is_revoked(tables, ably_stub):
    record = ban_stream_record("INSERT", "alice", new=ban_item("alice", expires_at=NOW - 1))

    assert handle(record) == {"batchItemFailures": []}
    assert ably_stub.requests == []


def test_given_revoke_tokens_on_ban_false_when_banned_then_nothing_is_revoked(
    tables_without_revocation, ably_stub
):
    record = ban_stream_record("INSERT", "alice", new=ban_item("alice", expires_at=HOUR))

    assert handle(record) == {"batchItemFailures": []}
    assert ably_stub.requests == []
    assert audit_events(tables_without_revocation) == []


# -- batching and failures ------------------------------------------------------------------


def test_given_many_bans_in_one_batch_then_revocations_go_in_calls_of_at_most_100(
    tables, ably_stub
):
    users = [f"user-{i:03d}" for i in range(150)]
    records = [ban_stream_record("INSERT", u, new=ban_item(u, expires_at=HOUR)) for u in users]

    response = handle(*records)

    assert response == {"batchItemFailures": []}
    targets = revoked_targets(ably_stub)
    assert [len(batch) for batch in targets] == [100, 50]
    assert [t for batch in targets for t in batch] == [f"clientId:{u}" for u in users]
    assert len(audit_events(tables)) == 150


def test_given_ably_refuses_when_revoking_then_the_record_is_reported_failed_and_not_audited(
    tables, ably_stub
):
    ably_stub.enqueue("POST", REVOKE, Reply.error(401, 40160, "not permitted"))
    record = ban_stream_record(
        "INSERT", "alice", new=ban_item("alice", expires_at=HOUR), sequence_number="111"
    )

    response = handle(record)

    assert failed_items(response) == ["111"]
    assert audit_events(tables) == []


def test_given_ably_fails_one_target_then_only_its_records_fail(tables, ably_stub):
    ably_stub.enqueue(
        "POST",
        REVOKE,
        Reply(
            201,
            {
                "successCount": 1,
                "failureCount": 1,
                "results": [
                    {"target": "clientId:alice", "issuedBefore": 1, "appliesAt": 1},
                    {
                        "target": "clientId:bob",
                        "error": {"code": 50000, "statusCode": 500, "message": "try again"},
                    },
                ],
            },
        ),
    )
    records = [
        ban_stream_record("INSERT", "alice", new=ban_item("alice", expires_at=HOUR)),
        ban_stream_record(
            "INSERT", "bob", new=ban_item("bob", expires_at=HOUR), sequence_number="222"
        ),
        ban_stream_record(
            "MODIFY",
            "bob",
            old=ban_item("bob", expires_at=HOUR),
            new=ban_item("bob", expires_at=None),
            sequence_number="333",
        ),
        ban_stream_record("REMOVE", "carol", old=ban_item("carol", expires_at=HOUR)),
    ]

    response = handle(*records)

    assert failed_items(response) == ["222", "333"]
    assert revoked_targets(ably_stub) == [["clientId:alice", "clientId:bob"]]
    assert [event["clientId"] for event in audit_events(tables)] == ["alice"]


def test_given_an_unreadable_new_ban_then_only_that_record_fails(tables, ably_stub):
    records = [
        ban_stream_record(
            "INSERT",
            "alice",
            new=ban_item("alice", expires_at=None, expiresAt="next week"),
            sequence_number="444",
        ),
        ban_stream_record("INSERT", "bob", new=ban_item("bob", expires_at=HOUR)),
    ]

    response = handle(*records)

    assert failed_items(response) == ["444"]
    assert revoked_targets(ably_stub) == [["clientId:bob"]]
