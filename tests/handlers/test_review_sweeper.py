"""The review sweeper: expires held messages past their time (audited), ages the queue."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from chatmod.adapters.audit_log import AuditLog
from chatmod.adapters.review_store import ReviewStore
from chatmod.core.policy import ModerationPolicy, RuntimePolicy
from chatmod.enforcement.reviews import ReviewState
from chatmod.handlers import before_publish, review_sweeper
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import FakeLambdaContext, before_publish_request

POLICY = RuntimePolicy(moderation=ModerationPolicy(on_match="hold"))


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatmodTables]:
    with moto_deployment(monkeypatch, policy=POLICY) as tables:
        yield tables


def held(text: str, client_id: str) -> str:
    response = before_publish.lambda_handler(
        before_publish_request(text, client_id=client_id), FakeLambdaContext()
    )
    return str(json.loads(response["body"])["rejectionDetail"]["reviewId"])


def test_due_items_expire_once_with_an_audit_event_and_the_rest_is_aged(
    deployment: ChatmodTables, capsys: pytest.CaptureFixture[str]
):
    due, pending = held("what the fuck", "alice"), held("you shit", "bob")
    deployment.reviews.update_item(
        Key={"reviewId": due},
        UpdateExpression="SET pendingUntilMs = :past",
        ExpressionAttributeValues={":past": 1},
    )

    first = review_sweeper.lambda_handler({}, FakeLambdaContext())
    second = review_sweeper.lambda_handler({}, FakeLambdaContext())

    assert first["expired"] == 1
    assert second["expired"] == 0
    assert 0 <= first["oldestPendingAgeSeconds"] < 60
    store = ReviewStore(deployment.reviews, audit=AuditLog(deployment.audit))
    expired, still = store.get(due), store.get(pending)
    assert expired is not None
    assert still is not None
    assert expired.state is ReviewState.EXPIRED
    assert expired.decided_by == "system"
    assert still.state is ReviewState.PENDING
    [event] = [e for e in AuditLog(deployment.audit).query("alice") if e.action == "expire"]
    assert event.details["reviewId"] == due
    assert event.actor == "system"
    # The metric the PendingReviewAge alarm watches, in the EMF line.
    assert '"OldestPendingReviewAgeSeconds"' in capsys.readouterr().out


def test_an_empty_queue_ages_to_zero(deployment: ChatmodTables):
    result = review_sweeper.lambda_handler({}, FakeLambdaContext())

    assert result == {"expired": 0, "oldestPendingAgeSeconds": 0.0}
