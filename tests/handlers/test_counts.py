"""The overview's counts end to end: the blobs the deciding handlers really log, delivered as
CloudWatch Logs delivers them to the counter, read back through ``GET /moderation/counts``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chatmod.adapters.ably.client import reset_gateway
from chatmod.core import constants
from chatmod.core.policy import IdentityPolicy, RuntimePolicy
from chatmod.handlers import before_publish, counter, moderator, publish
from tests.handlers.test_logging import RUDE, written
from tests.support.ably_stub import AblyStub
from tests.support.deployment import moto_deployment
from tests.support.dynamodb import ChatmodTables
from tests.support.events import (
    FakeLambdaContext,
    before_publish_request,
    http_event,
    log_subscription_event,
)

MODERATOR = {"sub": "mod1", "cognito:groups": "[moderators]"}
LOBBY_MODERATOR = {"sub": "mod2", "cognito:groups": "[moderators]", "custom:rooms": "[lobby*]"}
POLICY = RuntimePolicy(identity=IdentityPolicy(moderator_rooms_claim="custom:rooms"))
NOW = datetime.now(UTC)
HOUR = NOW.replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, ably_stub: AblyStub) -> Iterator[ChatmodTables]:
    # The routes' "now" is pinned: read from the real clock, an hour that turned between the
    # deliveries and the read (CI at 21:59:59) moved every count out of the expected hour
    monkeypatch.setattr(moderator, "clock", NOW.timestamp)
    ably = {
        constants.ENV_ABLY_REST_HOST: f"{ably_stub.host}:{ably_stub.port}",
        constants.ENV_ABLY_TLS: "false",
    }
    reset_gateway()
    with moto_deployment(monkeypatch, env=ably, policy=POLICY) as tables:
        yield tables
    reset_gateway()


def blobs_of_traffic() -> list[str]:
    """The EMF blobs of real decisions: two rooms, both paths, each outcome's sender."""
    lines = []
    for room, text, client_id in [
        ("lobby", "hello everyone", "alice"),
        ("lobby", "good game", "bob"),
        ("lobby", RUDE, "mallory"),
        ("lobby", RUDE, "mallory"),
        ("support", "help please", "carol"),
    ]:
        with written() as out:
            event = before_publish_request(text, client_id=client_id, room=room)
            before_publish.lambda_handler(event, FakeLambdaContext())
        lines += [json.dumps(blob) for blob in out.blobs]
    with written() as out:
        event = http_event(
            "POST", "/messages", body={"room": "lobby", "text": RUDE}, claims={"sub": "trent"}
        )
        assert publish.lambda_handler(event, FakeLambdaContext())["statusCode"] == 422
    lines += [json.dumps(blob) for blob in out.blobs]
    return lines


def deliver(messages: list[str], at: datetime = NOW) -> dict[str, Any]:
    event = log_subscription_event(messages, timestamp_ms=int(at.timestamp() * 1000))
    with written():
        return counter.lambda_handler(event, FakeLambdaContext())


def counts(query: dict[str, str] | None = None, claims: dict[str, str] = MODERATOR) -> Any:
    event = http_event("GET", "/moderation/counts", claims=claims, query=query)
    response = moderator.lambda_handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_decisions_logged_by_the_handlers_are_counted_per_room_and_for_the_stage(deployment):
    # Given the blobs of six real decisions, delivered in one log subscription batch
    result = deliver(blobs_of_traffic())
    assert result["failed"] == 0
    assert result["unreadable"] == 0

    # When a moderator reads the lobby's counts
    status, lobby = counts({"room": "lobby"})

    # Then the current hour holds them, and the senders of rejections lead the offenders
    assert status == 200, lobby
    assert lobby["room"] == "lobby"
    assert len(lobby["hours"]) == 24
    assert lobby["hours"][-1]["hour"] == HOUR.strftime("%Y-%m-%dT%H:00:00Z")
    assert lobby["totals"] == {"accepted": 2, "masked": 0, "held": 0, "rejected": 3, "failed": 0}
    assert lobby["hours"][-1] == {"hour": lobby["hours"][-1]["hour"], **lobby["totals"]}
    assert lobby["topCategories"] == [{"category": "profanity", "count": 3}]
    assert lobby["topOffenders"] == [
        {"clientId": "mallory", "count": 2},
        {"clientId": "trent", "count": 1},
    ]
    # And the stage adds the support room; an accepted sender is nobody's offender
    _, stage = counts()
    assert stage["room"] is None
    assert stage["totals"]["accepted"] == 3
    assert stage["totals"]["rejected"] == 3


def test_deliveries_add_up_and_land_in_their_own_hour(deployment):
    blob = json.dumps({"roomCounts": {"lobby": {"o": {"masked": 2}, "c": {"insult": 2}}}})
    # Given the same blob delivered three hours ago and twice now
    deliver([blob], at=NOW - timedelta(hours=3))
    deliver([blob, blob])

    # When the last four hours are read
    since = (HOUR - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    status, body = counts({"room": "lobby", "since": since})

    # Then each hour holds its own, and the totals the sum
    assert status == 200, body
    assert [hour["masked"] for hour in body["hours"]] == [2, 0, 0, 4]
    assert body["totals"]["masked"] == 6
    assert body["topCategories"] == [{"category": "insult", "count": 6}]


def test_an_unreadable_log_event_is_counted_as_lost_and_the_rest_still_counts(deployment):
    good = json.dumps({"roomCounts": {"lobby": {"o": {"accepted": 1}}}})
    wrong = json.dumps({"roomCounts": {"lobby": {"o": {"exploded": 1}}}})

    result = deliver([good, "not json", wrong])

    assert result["unreadable"] == 2
    assert result["failed"] == 0
    _, body = counts({"room": "lobby"})
    assert body["totals"]["accepted"] == 1


def test_a_delivery_that_is_not_one_is_refused_without_a_retry(deployment):
    with written():
        result = counter.lambda_handler({"awslogs": {"data": "not base64!"}}, FakeLambdaContext())

    assert result["failed"] == 1
    assert result["updates"] == 0


def test_the_subscriptions_control_message_counts_nothing(deployment):
    event = log_subscription_event(["CWL CONTROL MESSAGE"], message_type="CONTROL_MESSAGE")
    with written():
        result = counter.lambda_handler(event, FakeLambdaContext())

    assert result == {"events": 0, "updates": 0, "failed": 0, "unreadable": 0}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "2026-12-05T10:00:00"}, "since"),  # no time zone
        ({"since": "2026-12-05T10:00:00Z", "until": "2026-12-05T10:00:00Z"}, "since"),
        ({"since": "2026-11-01T00:00:00Z", "until": "2026-12-05T00:00:00Z"}, "since"),
        ({"rooms": "lobby"}, "rooms"),  # unknown parameter
    ],
)
def test_a_bad_range_or_parameter_is_a_400_naming_it(deployment, query, field):
    status, body = counts(query)

    assert status == 400, body
    assert [problem["field"] for problem in body["problems"]] == [field]


def test_the_longest_range_is_a_week(deployment):
    until = HOUR.strftime("%Y-%m-%dT%H:%M:%SZ")
    week = (HOUR - timedelta(hours=168)).strftime("%Y-%m-%dT%H:%M:%SZ")
    longer = (HOUR - timedelta(hours=169)).strftime("%Y-%m-%dT%H:%M:%SZ")

    assert counts({"since": week, "until": until})[0] == 200
    assert counts({"since": longer, "until": until})[0] == 400


def test_a_room_scoped_moderator_sees_only_their_rooms_counts(deployment):
    assert counts({"room": "lobby-2"}, LOBBY_MODERATOR)[0] == 200
    status, body = counts({"room": "support"}, LOBBY_MODERATOR)
    assert (status, body["error"]) == (403, "room_not_allowed")
    status, body = counts(None, LOBBY_MODERATOR)  # the stage includes others' rooms
    assert (status, body["error"]) == (403, "room_not_allowed")


def test_only_moderators_read_counts(deployment):
    assert counts(None, {"sub": "alice", "cognito:groups": "[players]"})[0] == 403
